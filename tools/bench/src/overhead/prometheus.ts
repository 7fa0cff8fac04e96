/** One consumer's handler time for one event type, from f2f_stage_duration_seconds. */
export interface StageTime {
  consumer: string;
  eventType: string;
  count: number;
  seconds: number;
}

const SAMPLE = /^f2f_stage_duration_seconds_(sum|count)\{([^}]*)\}\s+(\S+)$/u;
const LABEL = /(\w+)="((?:[^"\\]|\\.)*)"/gu;

/** The handler times in a Prometheus text exposition (sum and count of the stage histogram). */
export function parseStageTimes(exposition: string): StageTime[] {
  const byKey = new Map<string, StageTime>();
  for (const line of exposition.split('\n')) {
    const m = SAMPLE.exec(line.trim());
    if (!m) continue;
    const labels = Object.fromEntries([...m[2].matchAll(LABEL)].map((l) => [l[1], l[2]]));
    const consumer = labels.consumer ?? '';
    const eventType = labels.event_type ?? '';
    const key = `${consumer}|${eventType}`;
    const entry = byKey.get(key) ?? { consumer, eventType, count: 0, seconds: 0 };
    const value = Number(m[3]);
    if (m[1] === 'sum') entry.seconds = value;
    else entry.count = value;
    byKey.set(key, entry);
  }
  return [...byKey.values()];
}

/** What was handled between two scrapes of the same process (after minus before). */
export function stageTimesBetween(before: StageTime[], after: StageTime[]): StageTime[] {
  const old = new Map(before.map((s) => [`${s.consumer}|${s.eventType}`, s]));
  return after
    .map((s) => {
      const b = old.get(`${s.consumer}|${s.eventType}`);
      return { ...s, count: s.count - (b?.count ?? 0), seconds: s.seconds - (b?.seconds ?? 0) };
    })
    .filter((s) => s.count > 0);
}
