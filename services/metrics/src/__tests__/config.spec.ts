import { loadMetricsConfig } from '../config';

const ENV = {
  DATABASE_URL: 'postgresql://f2f@127.0.0.1:5432/f2f',
  KAFKA_BROKERS: '127.0.0.1:9092',
  BLOB_DIR: '/tmp/f2f-blobs',
  TENANT_CONTEXT_SECRET: 't'.repeat(32),
};

describe('metrics configuration: measuring frames as they land', () => {
  it('measures frames after video.generated unless told to measure them as they land', () => {
    expect(loadMetricsConfig(ENV).MEASURE_FRAMES_AS_THEY_LAND).toBe(false);
    expect(
      loadMetricsConfig({ ...ENV, MEASURE_FRAMES_AS_THEY_LAND: 'true' }).MEASURE_FRAMES_AS_THEY_LAND,
    ).toBe(true);
  });

  it('refuses to start with anything but true or false', () => {
    expect(() => loadMetricsConfig({ ...ENV, MEASURE_FRAMES_AS_THEY_LAND: 'yes' })).toThrow(
      /MEASURE_FRAMES_AS_THEY_LAND must be true or false/,
    );
  });
});
