import type { FrameMetricsRecord } from '../measurement/frame-metrics.repository';

import { type FrameMetricsView, toView } from './frame-metrics.view';

export interface MetricsSummaryView {
  frameCount: number;
  mean: FrameMetricsView;
  selected: FrameMetricsView | null;
}

type Averaged =
  'ssim' | 'psnr' | 'lpips' | 'clipI' | 'clipScore' | 'clipCosine' | 'targetLpips' | 'targetClipI';

/**
 * Means over an edit's measured frames (a learned metric's mean is null unless every frame has it)
 * and the metrics of the selected frame, when one is selected and measured.
 */
export function summarizeMetrics(
  rows: readonly FrameMetricsRecord[],
  selectedFrameId: string | null,
): MetricsSummaryView | null {
  if (rows.length === 0) return null;
  const avg = (k: Averaged) => {
    const values = rows.map((r) => r[k]).filter((v): v is number => v !== null);
    return values.length === rows.length ? values.reduce((s, v) => s + v, 0) / values.length : null;
  };
  const models = [...new Set(rows.map((r) => r.metricModels))];
  const mean: FrameMetricsView = {
    ssim: avg('ssim')!,
    psnr: avg('psnr')!,
    lpips: avg('lpips'),
    clipI: avg('clipI'),
    clipScore: avg('clipScore'),
    clipCosine: avg('clipCosine'),
    targetLpips: avg('targetLpips'),
    targetClipI: avg('targetClipI'),
    models: models.length === 1 ? models[0] : models.filter(Boolean).join(','),
  };
  const chosen = selectedFrameId === null ? undefined : rows.find((r) => r.frameId === selectedFrameId);
  return { frameCount: rows.length, mean, selected: chosen ? toView(chosen) : null };
}
