import type { FrameMetricsRecord } from '../measurement/frame-metrics.repository';

/** The columns of frame_metrics that GraphQL's FrameMetrics shows. */
export type FrameMetricsRow = Omit<FrameMetricsRecord, 'frameId' | 'tenantId' | 'editId' | 'frameIndex'>;

export type FrameMetricsView = Omit<FrameMetricsRow, 'metricModels'> & { models: string | null };

export const toView = ({ metricModels, ...r }: FrameMetricsRow): FrameMetricsView => ({
  ...r,
  models: metricModels,
});
