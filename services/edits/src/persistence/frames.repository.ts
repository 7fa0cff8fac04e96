import type { TenantId, Tx } from '@f2f/database';

import type { AnnouncedFrame, FrameMetricValues, FramesRepository } from './frames';

/** Frames in `frames`, their metrics in `edit_frame_metrics` (both the edits service's). */
export class PrismaFramesRepository implements FramesRepository {
  async record(tx: Tx, tenantId: TenantId, editId: string, frames: readonly AnnouncedFrame[]): Promise<void> {
    for (const { frameId, candidate, index, ...details } of frames) {
      await tx.frame.upsert({
        where: { editId_candidate_index: { editId, candidate, index } },
        create: { id: frameId, tenantId, editId, candidate, index, ...details },
        update: details,
      });
    }
  }

  async recordMetrics(
    tx: Tx,
    tenantId: TenantId,
    editId: string,
    metrics: readonly FrameMetricValues[],
  ): Promise<void> {
    for (const { candidate, index, ...values } of metrics) {
      await tx.editFrameMetric.upsert({
        where: { editId_candidate_index: { editId, candidate, index } },
        create: { tenantId, editId, candidate, index, ...values },
        update: values,
      });
    }
  }
}
