/** Ratios of few runs: percentiles interpolated between ranks. */
export { interpolated as percentile, median } from '../stats';

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
