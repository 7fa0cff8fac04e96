import type { BenchPart } from '../part';

export const frames: BenchPart = {
  id: 'frames',
  title: 'Frame storage',
  summary:
    'bytes per frame and per edit of the storage format versus PNG, SSIM against the lossless frame, encode time',
  run() {
    return Promise.reject(new Error('not written yet (issue #16)'));
  },
};
