import { framesPerBatch } from '../learned-metrics.provider';

describe('framesPerBatch: memory bounded by pixels, not by the output size', () => {
  const options = { batchSize: 7, batchPixels: 7 * 1024 * 1024 };

  it('keeps the configured batch for frames of the usual sizes', () => {
    expect(framesPerBatch(options, 512, 512)).toBe(7);
    expect(framesPerBatch(options, 1024, 1024)).toBe(7);
  });

  it('takes fewer frames at a time when they are large, never fewer than one', () => {
    expect(framesPerBatch(options, 2048, 2048)).toBe(1);
    expect(framesPerBatch(options, 1536, 1536)).toBe(3);
    expect(framesPerBatch(options, 6000, 6000)).toBe(1);
  });

  it('without a pixel budget, the batch size alone', () => {
    expect(framesPerBatch({ batchSize: 5 }, 6000, 6000)).toBe(5);
  });
});
