import { ConfigError } from '@f2f/common';

import { frameEncodingOf, loadVideoGenerationConfig } from '../config';

const ENV = {
  DATABASE_URL: 'postgresql://f2f@127.0.0.1:5432/f2f',
  KAFKA_BROKERS: '127.0.0.1:9092',
  BLOB_DIR: '/tmp/f2f-blobs',
  GENERATOR_ADDRESSES: '127.0.0.1:50051',
};

describe('video-generation configuration: how frames are stored', () => {
  it('stores frames as WebP at quality 85 unless told otherwise, and PNG (the paper) when asked', () => {
    expect(loadVideoGenerationConfig(ENV)).toMatchObject({ FRAME_FORMAT: 'webp', FRAME_QUALITY: 85 });
    expect(loadVideoGenerationConfig({ ...ENV, FRAME_FORMAT: 'png' }).FRAME_FORMAT).toBe('png');
    expect(loadVideoGenerationConfig({ ...ENV, FRAME_FORMAT: 'avif', FRAME_QUALITY: '60' })).toMatchObject({
      FRAME_FORMAT: 'avif',
      FRAME_QUALITY: 60,
    });
  });

  it("encodes with the default encoding's effort for its format, FRAME_EFFORT when given, the encoder's own otherwise", () => {
    expect(frameEncodingOf(loadVideoGenerationConfig(ENV))).toEqual({
      format: 'webp',
      quality: 85,
      effort: 2,
    });
    expect(frameEncodingOf(loadVideoGenerationConfig({ ...ENV, FRAME_EFFORT: '6' }))).toEqual({
      format: 'webp',
      quality: 85,
      effort: 6,
    });
    expect(frameEncodingOf(loadVideoGenerationConfig({ ...ENV, FRAME_FORMAT: 'avif' }))).toEqual({
      format: 'avif',
      quality: 85,
    });
    expect(
      frameEncodingOf(loadVideoGenerationConfig({ ...ENV, FRAME_FORMAT: 'avif', FRAME_EFFORT: '9' })),
    ).toEqual({ format: 'avif', quality: 85, effort: 9 });
  });

  it('stores two frames at a time unless told otherwise, and refuses an effort or a frame count out of range', () => {
    expect(loadVideoGenerationConfig(ENV).FRAMES_IN_FLIGHT).toBe(2);
    expect(loadVideoGenerationConfig({ ...ENV, FRAMES_IN_FLIGHT: '1' }).FRAMES_IN_FLIGHT).toBe(1);
    expect(() => loadVideoGenerationConfig({ ...ENV, FRAMES_IN_FLIGHT: '0' })).toThrow(/FRAMES_IN_FLIGHT/);
    expect(() => loadVideoGenerationConfig({ ...ENV, FRAME_EFFORT: '7' })).toThrow(
      /FRAME_EFFORT.*WebP effort is 0–6/s,
    );
    expect(() => loadVideoGenerationConfig({ ...ENV, FRAME_EFFORT: '-1' })).toThrow(/FRAME_EFFORT/);
  });

  it('refuses to start with an unknown format or a quality outside 1–100', () => {
    expect(() => loadVideoGenerationConfig({ ...ENV, FRAME_FORMAT: 'jpeg' })).toThrow(/FRAME_FORMAT/);
    expect(() => loadVideoGenerationConfig({ ...ENV, FRAME_QUALITY: '0' })).toThrow(ConfigError);
    expect(() => loadVideoGenerationConfig({ ...ENV, FRAME_QUALITY: '101' })).toThrow(/FRAME_QUALITY/);
  });
});
