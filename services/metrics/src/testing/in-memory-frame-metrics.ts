import type { TenantId } from '@f2f/database';

import type { FrameMetricsRecord, FrameMetricsRepository } from '../measurement/frame-metrics.repository';

export class InMemoryFrameMetrics implements FrameMetricsRepository {
  readonly rows = new Map<string, FrameMetricsRecord>();

  async saveAll(_tx: unknown, rows: FrameMetricsRecord[]): Promise<void> {
    for (const row of rows) if (!this.rows.has(row.frameId)) this.rows.set(row.frameId, row);
  }

  async forEdit(tenantId: TenantId, editId: string): Promise<FrameMetricsRecord[]> {
    return [...this.rows.values()].filter((r) => r.tenantId === tenantId && r.editId === editId);
  }

  async forFrame(tenantId: TenantId, frameId: string): Promise<FrameMetricsRecord | null> {
    const row = this.rows.get(frameId);
    return row?.tenantId === tenantId ? row : null;
  }

  readonly batches: string[][] = [];

  async forFrames(tenantId: TenantId, frameIds: readonly string[]): Promise<FrameMetricsRecord[]> {
    this.batches.push([...frameIds]);
    return frameIds.flatMap((id) => {
      const row = this.rows.get(id);
      return row?.tenantId === tenantId ? [row] : [];
    });
  }
}
