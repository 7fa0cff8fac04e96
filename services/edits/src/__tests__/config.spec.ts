import { ConfigError } from '@f2f/common';

import { loadEditsConfig } from '../config';

const ENV = {
  DATABASE_URL: 'postgresql://f2f@127.0.0.1:5432/f2f',
  KAFKA_BROKERS: '127.0.0.1:9092',
  BLOB_DIR: '/tmp/f2f-blobs',
  SIGNED_URL_SECRET: 'u'.repeat(32),
  TENANT_CONTEXT_SECRET: 't'.repeat(32),
};

describe('edits configuration', () => {
  it('serves DEFAULT_MODEL alone unless SERVED_MODELS lists the pool', () => {
    expect(loadEditsConfig({ ...ENV, DEFAULT_MODEL: 'preview' }).SERVED_MODELS).toEqual(['preview']);
    expect(
      loadEditsConfig({ ...ENV, DEFAULT_MODEL: 'preview', SERVED_MODELS: ' preview , cogvideox-5b-i2v ' })
        .SERVED_MODELS,
    ).toEqual(['preview', 'cogvideox-5b-i2v']);
  });

  it('refuses to start when DEFAULT_MODEL is not one of SERVED_MODELS', () => {
    expect(() =>
      loadEditsConfig({ ...ENV, DEFAULT_MODEL: 'preview', SERVED_MODELS: 'cogvideox-5b-i2v' }),
    ).toThrow(/SERVED_MODELS: DEFAULT_MODEL must be one of SERVED_MODELS/);
    expect(() => loadEditsConfig({ ...ENV, SERVED_MODELS: 'a b' })).toThrow(ConfigError);
  });

  it('validates the image inspection settings (a small pool, a time limit, a heap bound)', () => {
    expect(loadEditsConfig(ENV)).toMatchObject({
      IMAGE_INSPECT_THREADS: 1,
      IMAGE_INSPECT_TIMEOUT_MS: 10_000,
      IMAGE_INSPECT_HEAP_MB: 64,
    });
    expect(loadEditsConfig({ ...ENV, IMAGE_INSPECT_THREADS: '2' }).IMAGE_INSPECT_THREADS).toBe(2);
    expect(() => loadEditsConfig({ ...ENV, IMAGE_INSPECT_THREADS: '0' })).toThrow(/IMAGE_INSPECT_THREADS/);
    expect(() => loadEditsConfig({ ...ENV, IMAGE_INSPECT_THREADS: '16' })).toThrow(/IMAGE_INSPECT_THREADS/);
    expect(() => loadEditsConfig({ ...ENV, IMAGE_INSPECT_TIMEOUT_MS: '5' })).toThrow(
      /IMAGE_INSPECT_TIMEOUT_MS/,
    );
  });

  it('keeps lossless copies 24 h by default, refuses a negative window or a sweep more than daily', () => {
    expect(loadEditsConfig(ENV)).toMatchObject({
      LOSSLESS_COPIES_KEPT_HOURS: 24,
      LOSSLESS_SWEEP_INTERVAL_SECONDS: 300,
    });
    expect(loadEditsConfig({ ...ENV, LOSSLESS_COPIES_KEPT_HOURS: '0.5' }).LOSSLESS_COPIES_KEPT_HOURS).toBe(
      0.5,
    );
    expect(() => loadEditsConfig({ ...ENV, LOSSLESS_COPIES_KEPT_HOURS: '-1' })).toThrow(
      /LOSSLESS_COPIES_KEPT_HOURS/,
    );
    expect(() => loadEditsConfig({ ...ENV, LOSSLESS_SWEEP_INTERVAL_SECONDS: '90000' })).toThrow(
      /LOSSLESS_SWEEP_INTERVAL_SECONDS/,
    );
  });
});
