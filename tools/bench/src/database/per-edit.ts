import type { TableStats } from './table-stats.sql';

/** What one edit writes to a table, on average over the edits run between two snapshots. */
export interface PerEdit {
  schema: string;
  table: string;
  inserted: number;
  updated: number;
  deleted: number;
  bytes: number;
}

/**
 * The difference of two snapshots divided by the number of edits, for each table that changed
 * (a table new in `after` counts from zero); sorted by schema and table.
 */
export function perEdit(
  before: readonly TableStats[],
  after: readonly TableStats[],
  edits: number,
): PerEdit[] {
  if (!(edits > 0)) throw new RangeError('perEdit needs at least one edit');
  const key = (s: TableStats) => `${s.schema}.${s.table}`;
  const earlier = new Map(before.map((s) => [key(s), s]));
  const rows: PerEdit[] = [];
  for (const s of after) {
    const b = earlier.get(key(s));
    const d = {
      inserted: s.inserted - (b?.inserted ?? 0),
      updated: s.updated - (b?.updated ?? 0),
      deleted: s.deleted - (b?.deleted ?? 0),
      bytes: s.bytes - (b?.bytes ?? 0),
    };
    if (d.inserted === 0 && d.updated === 0 && d.deleted === 0 && d.bytes === 0) continue;
    rows.push({
      schema: s.schema,
      table: s.table,
      inserted: d.inserted / edits,
      updated: d.updated / edits,
      deleted: d.deleted / edits,
      bytes: d.bytes / edits,
    });
  }
  return rows.sort((a, b) => a.schema.localeCompare(b.schema) || a.table.localeCompare(b.table));
}
