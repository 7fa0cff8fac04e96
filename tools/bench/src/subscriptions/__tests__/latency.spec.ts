import { percentile, rssFromProcStatus, summarize } from '../latency';

describe('percentile', () => {
  it('takes the nearest rank', () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(sorted, 50)).toBe(50);
    expect(percentile(sorted, 95)).toBe(95);
    expect(percentile(sorted, 99)).toBe(99);
    expect(percentile(sorted, 100)).toBe(100);
    expect(percentile(sorted, 0)).toBe(1);
  });

  it('answers a small sample with its largest values near the top', () => {
    expect(percentile([3, 7, 9], 95)).toBe(9);
    expect(percentile([3, 7, 9], 50)).toBe(7);
  });

  it('is NaN without samples and refuses p outside 0..100', () => {
    expect(percentile([], 50)).toBeNaN();
    expect(() => percentile([1], 101)).toThrow(RangeError);
  });
});

describe('summarize', () => {
  it('sorts before ranking', () => {
    expect(summarize([5, 1, 4, 2, 3])).toEqual({ samples: 5, p50: 3, p95: 5, p99: 5, max: 5 });
  });
});

describe('rssFromProcStatus', () => {
  it('reads VmRSS in bytes', () => {
    const status = 'Name:\tnode\nVmPeak:\t 999 kB\nVmRSS:\t  123456 kB\nThreads:\t11\n';
    expect(rssFromProcStatus(status)).toBe(123456 * 1024);
  });

  it('fails clearly without the line', () => {
    expect(() => rssFromProcStatus('Name:\tnode\n')).toThrow('VmRSS');
  });
});
