import { ConfigError } from '@f2f/common';

import { loadVideoGenerationConfig } from '../config';

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

  it('refuses to start with an unknown format or a quality outside 1–100', () => {
    expect(() => loadVideoGenerationConfig({ ...ENV, FRAME_FORMAT: 'jpeg' })).toThrow(/FRAME_FORMAT/);
    expect(() => loadVideoGenerationConfig({ ...ENV, FRAME_QUALITY: '0' })).toThrow(ConfigError);
    expect(() => loadVideoGenerationConfig({ ...ENV, FRAME_QUALITY: '101' })).toThrow(/FRAME_QUALITY/);
  });
});
