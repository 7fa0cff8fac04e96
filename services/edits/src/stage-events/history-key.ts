import { type EventEnvelope, type EventPayloads, Topic } from '@f2f/contracts';

import type { StageEvent } from './edit-state';

/**
 * History entries are keyed by what they mean, not by the event that brought them: a producer that
 * restarts, a generation retried on another worker or re-run after a crash publishes new events
 * (new ids) for the same transitions, frames and steps. The history is unique on (tenant, edit,
 * key), so each is recorded, and announced on edit.status, once:
 *
 * - edit.requested, caption.completed, video.generated, frame.selected, metrics.computed,
 *   edit.failed, edit.cancelled: the transition, once per edit: the key is the type.
 * - video.progress while denoising: `video.progress/<candidate>/step/<step>`, recorded only when
 *   the step is past every step already recorded for the candidate (a retry re-reports steps
 *   1..k, and the feed does not go back).
 * - video.progress with frames: `video.progress/<candidate>/frames/<indices>` (ranges, `0-3,7`),
 *   recorded with only the frames no earlier entry of the candidate listed, so each frame is
 *   listed once however the retry groups them.
 * - edit.frame-rechosen (selectFrame): a user's choices are legitimately repeated; each is kept,
 *   keyed by its own event id.
 */
export type HistoryKeyed<E> = { event: E; key: string };

type Progress = EventEnvelope<Topic.VideoProgress>;

/** The keys this event's entries could collide with start with this (the repository's query). */
export function historyKeyScope(event: StageEvent): string {
  return event.type === Topic.VideoProgress ? progressScope(event.payload.candidate) : event.type;
}

/** The key of a user's re-choice of frame: its own event. */
export function frameRechosenKey(eventId: string): string {
  return `${Topic.EditFrameRechosen}/${eventId}`;
}

/**
 * What of a stage event is new to the edit's history, given the keys recorded in its scope
 * (historyKeyScope): the event to record with its key, or null when the history has it already.
 */
export function newHistoryEntry(event: StageEvent, recorded: string[]): HistoryKeyed<StageEvent> | null {
  if (event.type === Topic.VideoProgress) return newProgress(event, recorded);
  return recorded.includes(event.type) ? null : { event, key: event.type };
}

function newProgress(event: Progress, recorded: string[]): HistoryKeyed<Progress> | null {
  const { candidate, step, phase, frames } = event.payload;
  const scope = progressScope(candidate);
  const announced = new Set<number>();
  let lastStep = 0;
  for (const key of recorded) {
    if (!key.startsWith(scope)) continue;
    const [kind, value] = key.slice(scope.length).split('/');
    if (kind === 'step') lastStep = Math.max(lastStep, Number(value));
    else if (kind === 'frames') for (const i of parseRanges(value)) announced.add(i);
  }
  if (phase === 'denoising') {
    return step > lastStep ? { event, key: `${scope}step/${step}` } : null;
  }
  const fresh = [...new Map(frames.map((f) => [f.index, f])).values()]
    .filter((f) => !announced.has(f.index))
    .sort((a, b) => a.index - b.index);
  if (fresh.length === 0) return null;
  const payload: EventPayloads[Topic.VideoProgress] = {
    ...event.payload,
    frames: fresh,
    // The distinct frames of this candidate listed so far, this entry's included.
    framesReady: announced.size + fresh.length,
  };
  return {
    event: { ...event, payload },
    key: `${scope}frames/${formatRanges(fresh.map((f) => f.index))}`,
  };
}

function progressScope(candidate: number): string {
  return `${Topic.VideoProgress}/${candidate}/`;
}

/** Sorted, distinct integers as ranges: [0,1,2,3,7] -> "0-3,7". */
export function formatRanges(sorted: number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    parts.push(i === j ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

export function parseRanges(text: string | undefined): number[] {
  if (!text) return [];
  return text.split(',').flatMap((part) => {
    const [from, to = from] = part.split('-').map(Number);
    if (!Number.isInteger(from) || !Number.isInteger(to) || to < from) return [];
    return Array.from({ length: to - from + 1 }, (_, k) => from + k);
  });
}
