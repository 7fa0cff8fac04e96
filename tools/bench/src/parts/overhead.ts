import type { BenchPart } from '../part';

export const overhead: BenchPart = {
  id: 'overhead',
  title: 'Platform overhead',
  summary:
    'the same edit through the whole platform versus a bare script calling the same code in one process',
  run() {
    return Promise.reject(new Error('not written yet (issue #16)'));
  },
};
