import type { BenchPart } from '../part';

export const stages: BenchPart = {
  id: 'stages',
  title: 'CPU stage throughput',
  summary: 'edits per minute that captioning, selection and metrics sustain per core',
  run() {
    return Promise.reject(new Error('not written yet (issue #16)'));
  },
};
