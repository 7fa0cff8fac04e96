import { interleave, percentile, ratio, summarise } from '../stats';

describe('gateway bench figures', () => {
  it('takes percentiles by nearest rank', () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i); // 100..1, unsorted
    expect(percentile(values, 95)).toBe(95);
    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 100)).toBe(100);
    expect(percentile([7], 95)).toBe(7);
    expect(percentile([], 95)).toBeNaN();
  });

  it('pools runs: requests over seconds, percentiles over every latency', () => {
    const s = summarise([
      { requests: 100, seconds: 10, failed: 0, latenciesMs: [1, 2, 3] },
      { requests: 300, seconds: 10, failed: 2, latenciesMs: [10, 20, 30, 40] },
    ]);
    expect(s.rps).toBe(20);
    expect(s.runRps).toEqual([10, 30]);
    expect(s.failed).toBe(2);
    expect(s.p95Ms).toBe(40);
    expect(s.p50Ms).toBe(10);
  });

  it('reverses the order every other round', () => {
    expect(interleave(['a', 'b', 'c'], 0)).toEqual(['a', 'b', 'c']);
    expect(interleave(['a', 'b', 'c'], 1)).toEqual(['c', 'b', 'a']);
    expect(interleave(['a', 'b', 'c'], 2)).toEqual(['a', 'b', 'c']);
  });

  it('divides ours by theirs, and reports 0 when theirs served nothing', () => {
    expect(ratio(150, 100)).toBe(1.5);
    expect(ratio(5, 0)).toBe(0);
  });
});
