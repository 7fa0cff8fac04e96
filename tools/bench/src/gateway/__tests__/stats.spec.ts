import { cpuMsOfStat } from '../cpu';
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
      { requests: 100, seconds: 10, failed: 0, latenciesMs: [1, 2, 3], cpuMs: 1000 },
      { requests: 300, seconds: 10, failed: 2, latenciesMs: [10, 20, 30, 40], cpuMs: 3000 },
    ]);
    expect(s.cpuMsPerRequest).toBe(10);
    expect(s.rps).toBe(20);
    expect(s.runRps).toEqual([10, 30]);
    expect(s.failed).toBe(2);
    expect(s.p95Ms).toBe(40);
    expect(s.p50Ms).toBe(10);
  });

  it('reports no CPU figure when a run could not read it', () => {
    const run = { requests: 1, seconds: 1, failed: 0, latenciesMs: [1] };
    expect(summarise([run, { ...run, cpuMs: 5 }]).cpuMsPerRequest).toBeNaN();
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

describe('process CPU time from /proc/<pid>/stat', () => {
  it('adds utime and stime (fields 14 and 15, in 1/100 s), whatever the command name holds', () => {
    const line = '4242 (node (x) y) S 1 4242 4242 0 -1 4194560 9126 0 0 0 250 75 0 0 20 0 11 0 1 2 3';
    expect(cpuMsOfStat(line)).toBe(3250);
  });
});
