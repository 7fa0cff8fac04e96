/** The p-th percentile (0..100) of the values, linearly interpolated between ranks. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) throw new Error('percentile of no values');
  if (p < 0 || p > 100) throw new Error(`percentile ${p} is outside 0..100`);
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p / 100) * (sorted.length - 1);
  const low = Math.floor(rank);
  const high = Math.ceil(rank);
  return sorted[low] + (sorted[high] - sorted[low]) * (rank - low);
}

export const median = (values: readonly number[]): number => percentile(values, 50);

export const mean = (values: readonly number[]): number =>
  values.reduce((s, v) => s + v, 0) / Math.max(1, values.length);

/** Element-wise a ÷ b of paired runs (the i-th platform edit with the i-th bare edit). */
export function ratios(a: readonly number[], b: readonly number[]): number[] {
  if (a.length !== b.length) throw new Error(`unpaired runs: ${a.length} and ${b.length}`);
  return a.map((v, i) => {
    if (!(b[i] > 0)) throw new Error(`run ${i} of the baseline took ${b[i]} ms`);
    return v / b[i];
  });
}

/** Milliseconds between two ISO timestamps. */
export const msBetween = (from: string, to: string): number => Date.parse(to) - Date.parse(from);
