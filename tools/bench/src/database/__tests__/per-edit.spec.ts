import { perEdit } from '../per-edit';
import type { TableStats } from '../table-stats.sql';

const stats = (table: string, inserted: number, bytes: number, updated = 0, deleted = 0): TableStats => ({
  schema: 'edits',
  table,
  inserted,
  updated,
  deleted,
  liveRows: inserted - deleted,
  bytes,
});

describe('perEdit', () => {
  it('divides each table’s growth by the number of edits and leaves out unchanged tables', () => {
    const before = [stats('edits', 10, 8192), stats('tenants', 1, 8192), stats('outbox', 4, 16384, 0, 4)];
    const after = [
      stats('edits', 14, 16384, 8),
      stats('tenants', 1, 8192),
      stats('outbox', 44, 16384, 0, 44),
    ];
    expect(perEdit(before, after, 4)).toEqual([
      { schema: 'edits', table: 'edits', inserted: 1, updated: 2, deleted: 0, bytes: 2048 },
      { schema: 'edits', table: 'outbox', inserted: 10, updated: 0, deleted: 10, bytes: 0 },
    ]);
  });

  it('counts a table that appeared from zero', () => {
    expect(perEdit([], [stats('frames', 98, 65536)], 2)).toEqual([
      { schema: 'edits', table: 'frames', inserted: 49, updated: 0, deleted: 0, bytes: 32768 },
    ]);
  });

  it('refuses zero edits', () => {
    expect(() => perEdit([], [], 0)).toThrow(RangeError);
  });
});
