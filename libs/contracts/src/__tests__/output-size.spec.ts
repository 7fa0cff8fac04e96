import { DEFAULT_OUTPUT_MAX_SIDE as MAX_OUTPUT_SIDE, outputSize } from '../events';

describe('outputSize: the size of an edit frames', () => {
  const none = { outputWidth: null, outputHeight: null };

  it('is the size asked for', () => {
    expect(outputSize({ outputWidth: 512, outputHeight: 512 }, { width: 6000, height: 4000 })).toEqual({
      width: 512,
      height: 512,
    });
  });

  it("is the source's size when it fits", () => {
    expect(outputSize(none, { width: 320, height: 240 })).toEqual({ width: 320, height: 240 });
    expect(outputSize(none, { width: MAX_OUTPUT_SIDE, height: 16 })).toEqual({
      width: MAX_OUTPUT_SIDE,
      height: 16,
    });
  });

  it("is the source's size scaled down to fit DEFAULT_OUTPUT_MAX_SIDE, aspect kept, for a larger source", () => {
    expect(outputSize(none, { width: 6000, height: 6000 })).toEqual({
      width: MAX_OUTPUT_SIDE,
      height: MAX_OUTPUT_SIDE,
    });
    expect(outputSize(none, { width: 8000, height: 4000 })).toEqual({
      width: MAX_OUTPUT_SIDE,
      height: MAX_OUTPUT_SIDE / 2,
    });
  });
});
