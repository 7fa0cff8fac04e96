import type { FrameEncoding } from '@f2f/imaging';

import { median } from '../stats';

import type { FrameSample } from './measure';

/** What a set of frames stored one way adds up to. */
export interface SampleSummary {
  frames: number;
  pngBytes: number;
  bytes: number;
  /** bytes ÷ pngBytes over all the frames (a byte-weighted mean, as storage adds up). */
  ratio: number;
  ssimMin: number;
  ssimMean: number;
  /** Median encode time (CPU) of one frame. */
  encodeMsMedian: number;
}

export { median };

export function summarise(samples: readonly FrameSample[]): SampleSummary {
  if (samples.length === 0) throw new Error('no frames to summarise');
  const pngBytes = samples.reduce((s, f) => s + f.pngBytes, 0);
  const bytes = samples.reduce((s, f) => s + f.bytes, 0);
  return {
    frames: samples.length,
    pngBytes,
    bytes,
    ratio: bytes / pngBytes,
    ssimMin: Math.min(...samples.map((f) => f.ssim)),
    ssimMean: samples.reduce((s, f) => s + f.ssim, 0) / samples.length,
    encodeMsMedian: median(samples.map((f) => f.encodeMs)),
  };
}

/** The targets an encoding must meet to be chosen. */
export interface ChoiceRules {
  /** bytes ÷ PNG's, at most (issue #16: 0.15). */
  maxRatio: number;
  /** SSIM of every frame against its lossless frame, at least (issue #16: 0.98). */
  minSsim: number;
  /** Median encode CPU time of one frame, at most: encoding must stay small beside the GPU's time per frame. */
  maxEncodeMs: number;
  /**
   * A near tie: encodings within this fraction more bytes than the fewest count as tied, and the
   * fastest of them wins (its time every frame pays on the way to the client).
   */
  tieBytes: number;
}

export interface Candidate {
  encoding: FrameEncoding;
  summary: SampleSummary;
}

/** Why an encoding is out, or null when it meets every rule. */
export function disqualification(summary: SampleSummary, rules: ChoiceRules): string | null {
  if (summary.ssimMin < rules.minSsim) return `SSIM min ${summary.ssimMin.toFixed(4)} < ${rules.minSsim}`;
  if (summary.ratio > rules.maxRatio) return `ratio ${summary.ratio.toFixed(3)} > ${rules.maxRatio}`;
  if (summary.encodeMsMedian > rules.maxEncodeMs)
    return `encode ${summary.encodeMsMedian.toFixed(0)} ms > ${rules.maxEncodeMs} ms`;
  return null;
}

/**
 * The encoding to store frames with: of those within every rule, the one with the fewest bytes
 * (what storage pays for); near ties (within `tieBytes` of those bytes) go to the faster encoder,
 * whose time every frame pays. Null when none qualifies.
 */
export function chooseEncoding(candidates: readonly Candidate[], rules: ChoiceRules): Candidate | null {
  const qualified = candidates.filter((c) => disqualification(c.summary, rules) === null);
  if (qualified.length === 0) return null;
  const fewest = Math.min(...qualified.map((c) => c.summary.ratio));
  return qualified
    .filter((c) => c.summary.ratio <= fewest * (1 + rules.tieBytes))
    .reduce((best, c) => (c.summary.encodeMsMedian < best.summary.encodeMsMedian ? c : best));
}

export const describeEncoding = (e: FrameEncoding): string =>
  e.format === 'png'
    ? 'PNG'
    : `${e.format.toUpperCase()} q${e.quality}${e.effort === undefined ? '' : ` effort ${e.effort}`}`;
