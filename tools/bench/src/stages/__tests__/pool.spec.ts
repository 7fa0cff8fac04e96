import { editsPerMinute, gpuWorkersKeptBusy } from '../pool';

describe('stage throughput arithmetic', () => {
  it('adds the rates of processes that ran for different times', () => {
    expect(
      editsPerMinute([
        { edits: 10, ms: 30_000 },
        { edits: 12, ms: 60_000 },
      ]),
    ).toBeCloseTo(32);
  });

  it('says how many GPUs a replica keeps busy from the GPU time per video', () => {
    // 2 edits a minute; an H100 makes one video per 90 s (2/3 a minute): 3 GPUs.
    expect(gpuWorkersKeptBusy(2, 90)).toBeCloseTo(3);
    expect(gpuWorkersKeptBusy(2, 180)).toBeCloseTo(6);
  });
});
