import type { EditView, FrameView } from '../gateway-client';
import type { FrameMetrics, ResultMetrics, RunResult } from '../model';

export function makeFrameMetrics(overrides: Partial<FrameMetrics> = {}): FrameMetrics {
  return {
    lpips: 0.2,
    clipI: 0.9,
    clipScore: 0.3,
    targetLpips: null,
    targetClipI: null,
    ssim: 0.8,
    psnr: 25,
    ...overrides,
  };
}

export function makeFrame(
  index: number,
  metrics: Partial<FrameMetrics> | null = {},
  candidate = 0,
): FrameView {
  return {
    index,
    candidate,
    metrics: metrics === null ? null : makeFrameMetrics(metrics),
    metricModels: null,
  };
}

/** A completed edit of `count` frames whose frame i has LPIPS i/100 and CLIP score 0.2 + i/1000. */
export function makeEdit(overrides: Partial<EditView> = {}, count = 49, withTarget = false): EditView {
  const frames = Array.from({ length: count }, (_, i) =>
    makeFrame(i, {
      lpips: i / 100,
      clipI: 1 - i / 200,
      clipScore: 0.2 + i / 1000,
      targetLpips: withTarget ? 0.5 - i / 200 : null,
      targetClipI: withTarget ? 0.6 + i / 500 : null,
    }),
  );
  return {
    id: 'edit-1',
    status: 'COMPLETED',
    noEdit: false,
    failure: null,
    selectedFrame: frames[12] ?? null,
    frames,
    ...overrides,
  };
}

export function makeMetrics(overrides: Partial<ResultMetrics> = {}): ResultMetrics {
  return {
    sourceLpips: 0.2,
    sourceClipI: 0.9,
    targetLpips: null,
    targetClipI: null,
    clip: 0.3,
    ssim: 0.8,
    psnr: 25,
    ...overrides,
  };
}

export function makeRun(overrides: Partial<RunResult> = {}): RunResult {
  return {
    itemId: 'a',
    variant: 'F2F',
    seed: 0,
    hasGroundTruth: false,
    editId: 'edit-1',
    status: 'COMPLETED',
    outcome: 'EDITED',
    selectedCandidate: 0,
    selectedIndex: 12,
    frameCount: 49,
    metrics: makeMetrics(),
    failureCode: null,
    failureReason: null,
    durationMs: 1000,
    ...overrides,
  };
}

export function makeFailedRun(overrides: Partial<RunResult> = {}): RunResult {
  return makeRun({
    status: 'FAILED',
    outcome: 'FAILED',
    selectedCandidate: null,
    selectedIndex: null,
    metrics: null,
    failureCode: 'GENERATION_FAILED',
    failureReason: 'video-generation: the worker died',
    ...overrides,
  });
}
