import { median, msBetween, percentile, ratios } from '../stats';

describe('bench statistics', () => {
  it('interpolates percentiles between ranks, whatever the order of the values', () => {
    const values = [40, 10, 30, 20];
    expect(percentile(values, 0)).toBe(10);
    expect(percentile(values, 100)).toBe(40);
    expect(median(values)).toBe(25);
    expect(percentile(values, 95)).toBeCloseTo(38.5);
    expect(median([7])).toBe(7);
  });

  it('refuses an empty series and a percentile outside 0..100', () => {
    expect(() => percentile([], 50)).toThrow('no values');
    expect(() => percentile([1], 101)).toThrow('outside');
  });

  it('pairs runs for ratios and refuses unpaired or empty baselines', () => {
    expect(ratios([110, 206], [100, 200])).toEqual([1.1, 1.03]);
    expect(() => ratios([1, 2], [1])).toThrow('unpaired');
    expect(() => ratios([1], [0])).toThrow('baseline');
  });

  it('measures the milliseconds between ISO timestamps', () => {
    expect(msBetween('2026-01-01T00:00:00.000Z', '2026-01-01T00:00:01.250Z')).toBe(1250);
  });
});
