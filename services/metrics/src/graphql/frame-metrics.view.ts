/** The columns of frame_metrics that GraphQL's FrameMetrics shows. */
export interface FrameMetricsRow {
  ssim: number;
  psnr: number;
  lpips: number | null;
  clipI: number | null;
  clipScore: number | null;
  targetLpips: number | null;
  targetClipI: number | null;
  metricModels: string | null;
}

export type FrameMetricsView = Omit<FrameMetricsRow, 'metricModels'> & { models: string | null };

export const toView = ({ metricModels, ...r }: FrameMetricsRow): FrameMetricsView => ({
  ...r,
  models: metricModels,
});
