import type { FrameMetrics } from '@f2f/contracts';

/** Injection token of the metric policy's options. */
export const METRIC_POLICY = Symbol('MetricPolicyOptions');

/** The metric policy's knobs (frame-selection config: METRIC_*). */
export interface MetricPolicyOptions {
  /** A frame is eligible only while its LPIPS to the source stays at or under this bound. */
  lpipsBound: number;
  /** A frame reaches the plateau when it has made this fraction of its path's CLIP-score gain. */
  plateauFraction: number;
  /**
   * A path whose CLIP score (CLIPScore, 2.5 · max(cos, 0)) never rises by this much above its first
   * frame has no edit in it.
   */
  minGain: number;
}

export const DEFAULT_METRIC_POLICY: MetricPolicyOptions = {
  lpipsBound: 0.45,
  plateauFraction: 0.9,
  // 0.005 of raw cosine, on CLIPScore's scale (2.5 ×).
  minGain: 0.0125,
};

export type MetricDecision =
  | { kind: 'frame'; candidate: number; frameIndex: number; frameId: string; reason: string }
  | { kind: 'no-edit'; reason: string }
  | { kind: 'unavailable'; reason: string };

interface PathPick {
  candidate: number;
  frame: FrameMetrics | null;
  note: string;
}

/**
 * Three-frame centred median (the mean of the two at either end): one noisy frame neither makes
 * nor hides a plateau.
 */
export function smooth(values: number[]): number[] {
  return values.map((_, i) => {
    const window = values.slice(Math.max(0, i - 1), Math.min(values.length, i + 2)).sort((a, b) => a - b);
    return window.length === 3 ? window[1] : window.reduce((s, v) => s + v, 0) / window.length;
  });
}

const f3 = (n: number) => n.toFixed(3);

/**
 * One candidate's path: the plateau is the highest (smoothed) CLIP score the path reaches; a frame
 * reaches it once it has made `plateauFraction` of the gain from frame 0 to the plateau. The pick
 * is the earliest such frame whose LPIPS to the source is within the bound.
 */
export function pickOnPath(path: FrameMetrics[], options: MetricPolicyOptions): PathPick {
  const sorted = [...path].sort((a, b) => a.index - b.index);
  const candidate = sorted[0].candidate;
  const scores = smooth(sorted.map((f) => f.clipScore as number));
  const start = scores[0];
  const plateau = Math.max(...scores);
  const gain = plateau - start;
  if (gain < options.minGain) {
    return {
      candidate,
      frame: null,
      note: `candidate ${candidate}: CLIP score never rises (${f3(start)} → at most ${f3(plateau)})`,
    };
  }
  const threshold = start + options.plateauFraction * gain;
  const reaching = sorted.filter((_, i) => scores[i] >= threshold);
  const eligible = reaching.find((f) => (f.lpips as number) <= options.lpipsBound);
  if (!eligible) {
    return {
      candidate,
      frame: null,
      note:
        `candidate ${candidate}: the ${reaching.length} frame(s) at the CLIP plateau (≥ ${f3(threshold)}) ` +
        `all have LPIPS above ${options.lpipsBound}`,
    };
  }
  return {
    candidate,
    frame: eligible,
    note:
      `candidate ${candidate}: frame ${eligible.index} (CLIP score ${f3(eligible.clipScore as number)}, ` +
      `plateau ${f3(plateau)}, LPIPS ${f3(eligible.lpips as number)})`,
  };
}

/**
 * The metric policy over every candidate: the earliest frame (lowest index, then lowest candidate)
 * that reaches its path's CLIP-score plateau while staying close to the source. No such frame in
 * any candidate means no edit (the result is the source image, like the paper's "image 0").
 */
export function selectByMetrics(series: FrameMetrics[], options: MetricPolicyOptions): MetricDecision {
  if (series.length === 0) return { kind: 'unavailable', reason: 'no per-frame metrics were reported' };
  const missing = series.filter((f) => f.clipScore === null || f.lpips === null);
  if (missing.length > 0) {
    return {
      kind: 'unavailable',
      reason: `${missing.length} of ${series.length} frames have no CLIP score or LPIPS (learned metrics unavailable)`,
    };
  }
  const candidates = [...new Set(series.map((f) => f.candidate))].sort((a, b) => a - b);
  const picks = candidates.map((c) =>
    pickOnPath(
      series.filter((f) => f.candidate === c),
      options,
    ),
  );
  const summary = picks.map((p) => p.note).join('; ');
  const found = picks
    .filter((p): p is PathPick & { frame: FrameMetrics } => p.frame !== null)
    .sort((a, b) => a.frame.index - b.frame.index || a.candidate - b.candidate);
  if (found.length === 0)
    return { kind: 'no-edit', reason: `metric policy: no frame qualifies (${summary})` };
  const best = found[0];
  return {
    kind: 'frame',
    candidate: best.candidate,
    frameIndex: best.frame.index,
    frameId: best.frame.frameId,
    reason: `metric policy chose frame ${best.frame.index} of candidate ${best.candidate} (${summary})`,
  };
}
