/** The percentiles the benchmarks report, one definition each. */

/**
 * The p-th percentile (0..100) by nearest rank: a value of the sample, whatever its order (latencies,
 * where an interpolated figure would be a latency nobody saw). NaN for no values.
 */
export function nearestRank(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  if (p < 0 || p > 100) throw new RangeError(`percentile ${p} is outside 0..100`);
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

/** The p-th percentile (0..100), linearly interpolated between ranks (few samples: ratios of runs). */
export function interpolated(values: readonly number[], p: number): number {
  if (values.length === 0) throw new Error('percentile of no values');
  if (p < 0 || p > 100) throw new Error(`percentile ${p} is outside 0..100`);
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p / 100) * (sorted.length - 1);
  const low = Math.floor(rank);
  const high = Math.ceil(rank);
  return sorted[low] + (sorted[high] - sorted[low]) * (rank - low);
}

/** The median: the middle value, or the mean of the middle two. */
export const median = (values: readonly number[]): number => interpolated(values, 50);
