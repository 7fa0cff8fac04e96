import type { EditView } from './gateway-client';
import type { MetricField, ResultMetrics, RunResult } from './model';

export interface RunContext {
  itemId: string;
  variant: string;
  seed: number;
  hasGroundTruth: boolean;
  /** The FrameMetrics fields the platform serves (and the evaluation asked for). */
  servedFields: readonly MetricField[];
  durationMs: number;
}

/** The paper's metrics that must be present on a completed edit's result (target ones with a ground truth). */
function requiredFields(ctx: RunContext): MetricField[] {
  const wanted: MetricField[] = ['lpips', 'clipI', 'clipScore'];
  if (ctx.hasGroundTruth) wanted.push('targetLpips', 'targetClipI');
  return wanted.filter((f) => ctx.servedFields.includes(f));
}

function base(ctx: RunContext, edit: EditView): RunResult {
  return {
    itemId: ctx.itemId,
    variant: ctx.variant,
    seed: ctx.seed,
    hasGroundTruth: ctx.hasGroundTruth,
    editId: edit.id,
    status: edit.status,
    outcome: 'FAILED',
    selectedCandidate: edit.selectedFrame?.candidate ?? null,
    selectedIndex: edit.selectedFrame?.index ?? null,
    frameCount: edit.frames.length > 0 ? edit.frames.length : null,
    metricModels:
      edit.selectedFrame?.metricModels ?? edit.frames.find((f) => f.index === 0)?.metricModels ?? null,
    metrics: null,
    provenance: edit.provenance ?? null,
    failureCode: null,
    failureReason: null,
    durationMs: ctx.durationMs,
  };
}

/**
 * The evaluation's view of a terminal edit.
 *
 * - COMPLETED with a selected frame: that frame's metrics.
 * - COMPLETED with `noEdit` (no frame fulfils the edit, the result is the source image): source
 *   LPIPS 0, source CLIP-I 1, SSIM 1, PSNR 100 (the result *is* the source); the CLIP score and the
 *   target metrics are frame 0's, the first frame of the path, which reproduces the source.
 * - FAILED / CANCELLED: counted as such with the platform's code and reason.
 * - A completed edit without the metrics its row needs is a failure (METRICS_MISSING), never a
 *   silent gap in a mean.
 */
export function resultFromEdit(edit: EditView, ctx: RunContext): RunResult {
  const result = base(ctx, edit);
  if (edit.status === 'FAILED' || edit.status === 'CANCELLED') {
    result.outcome = edit.status;
    result.failureCode = edit.failure?.code ?? edit.status;
    result.failureReason = edit.failure?.reason ?? `the edit is ${edit.status}`;
    return result;
  }
  if (edit.status !== 'COMPLETED') {
    result.failureCode = 'NOT_TERMINAL';
    result.failureReason = `the edit is still ${edit.status}`;
    return result;
  }
  const missing = (m: Partial<Record<MetricField, number | null>> | null) =>
    requiredFields(ctx).filter((f) => m === null || typeof m[f] !== 'number');

  let metrics: ResultMetrics;
  if (edit.noEdit) {
    const first = edit.frames.find((f) => f.index === 0) ?? null;
    const lacking = missing(first?.metrics ? { ...first.metrics, lpips: 0, clipI: 1 } : null);
    if (lacking.length > 0) {
      result.failureCode = 'METRICS_MISSING';
      result.failureReason = `no edit, and frame 0 has no ${lacking.join(', ')} (needed for its CLIP score)`;
      return result;
    }
    const m = first!.metrics!;
    // A metric the platform does not serve stays unknown here too (--allow-missing-metrics).
    const served = (f: MetricField, value: number) => (ctx.servedFields.includes(f) ? value : null);
    metrics = {
      sourceLpips: served('lpips', 0),
      sourceClipI: served('clipI', 1),
      targetLpips: ctx.hasGroundTruth ? m.targetLpips : null,
      targetClipI: ctx.hasGroundTruth ? m.targetClipI : null,
      clip: m.clipScore,
      ssim: served('ssim', 1),
      psnr: served('psnr', 100),
    };
    result.outcome = 'NO_EDIT';
    result.selectedCandidate = null;
    result.selectedIndex = null;
  } else {
    const frame = edit.selectedFrame;
    if (frame === null) {
      result.failureCode = 'NO_SELECTION';
      result.failureReason = 'the edit completed without a selected frame and without noEdit';
      return result;
    }
    const lacking = missing(frame.metrics);
    if (lacking.length > 0) {
      result.failureCode = 'METRICS_MISSING';
      result.failureReason = `the selected frame ${frame.candidate}/${frame.index} has no ${lacking.join(', ')}`;
      return result;
    }
    const m = frame.metrics;
    metrics = {
      sourceLpips: m?.lpips ?? null,
      sourceClipI: m?.clipI ?? null,
      targetLpips: ctx.hasGroundTruth ? (m?.targetLpips ?? null) : null,
      targetClipI: ctx.hasGroundTruth ? (m?.targetClipI ?? null) : null,
      clip: m?.clipScore ?? null,
      ssim: m?.ssim ?? null,
      psnr: m?.psnr ?? null,
    };
    result.outcome = 'EDITED';
  }
  result.metrics = metrics;
  return result;
}
