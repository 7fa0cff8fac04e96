import type { SampleSummary } from './choose';

/** One edit's storage, PNG everywhere (before) versus the storage format (after). */
export interface EditBytes {
  before: { frames: number; raw: number; collage: number; total: number };
  after: { frames: number; raw: number; collage: number; result: number; total: number };
  /** after.total ÷ before.total. */
  ratio: number;
  /** Stored frames only (edited + raw): the "frames at ≤ 0.15× PNG's bytes". */
  framesRatio: number;
  /** While the edit runs and for LOSSLESS_COPIES_KEPT_HOURS after, every edited frame's lossless copy is kept too. */
  peak: number;
}

/**
 * Bytes of one edit: the frames and raw frames (as summarised), the collage (stored as PNG either
 * way: it is what the VLM saw), and after, the result's lossless copy that stays (once the copies
 * go: the platform's choice's stays too when a user re-chose another frame).
 */
export function editBytes(
  edited: SampleSummary,
  raw: SampleSummary,
  collagePng: number,
  resultPng: number,
): EditBytes {
  const before = {
    frames: edited.pngBytes,
    raw: raw.pngBytes,
    collage: collagePng,
    total: edited.pngBytes + raw.pngBytes + collagePng,
  };
  const after = {
    frames: edited.bytes,
    raw: raw.bytes,
    collage: collagePng,
    result: resultPng,
    total: edited.bytes + raw.bytes + collagePng + resultPng,
  };
  return {
    before,
    after,
    ratio: after.total / before.total,
    framesRatio: (edited.bytes + raw.bytes) / (edited.pngBytes + raw.pngBytes),
    peak: after.total + edited.pngBytes - resultPng,
  };
}
