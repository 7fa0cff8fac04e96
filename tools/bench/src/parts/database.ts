import type { BenchPart } from '../part';

export const database: BenchPart = {
  id: 'database',
  title: 'Database',
  summary: 'rows and bytes written per edit, and the p95 of the history and analytics queries at 1M edits',
  run() {
    return Promise.reject(new Error('not written yet (issue #16)'));
  },
};
