import type { TenantId } from '@f2f/database';
import type { PrismaClient, Tx } from '../database';

/** One frame's stored metrics (frame_metrics, the metrics service's own table). */
export interface FrameMetricsRecord {
  frameId: string;
  tenantId: string;
  editId: string;
  frameIndex: number;
  ssim: number;
  psnr: number;
  lpips: number | null;
  clipI: number | null;
  /** CLIPScore: 2.5 · max(clipCosine, 0). */
  clipScore: number | null;
  clipCosine: number | null;
  targetLpips: number | null;
  targetClipI: number | null;
  metricModels: string | null;
}

/** frame_metrics: written from video.generated, read by the subgraph for the caller's tenant only. */
export interface FrameMetricsRepository {
  /** Writes the rows; a frame measured already keeps its first row. */
  saveAll(tx: Tx, rows: FrameMetricsRecord[]): Promise<void>;
  forEdit(tenantId: TenantId, editId: string): Promise<FrameMetricsRecord[]>;
  forFrame(tenantId: TenantId, frameId: string): Promise<FrameMetricsRecord | null>;
  /** The rows of these frames (those measured), in no particular order: one query for a whole edit. */
  forFrames(tenantId: TenantId, frameIds: readonly string[]): Promise<FrameMetricsRecord[]>;
}
export const FRAME_METRICS = Symbol('FrameMetricsRepository');

const COLUMNS = {
  frameId: true,
  tenantId: true,
  editId: true,
  frameIndex: true,
  ssim: true,
  psnr: true,
  lpips: true,
  clipI: true,
  clipScore: true,
  clipCosine: true,
  targetLpips: true,
  targetClipI: true,
  metricModels: true,
} as const;

export class PrismaFrameMetricsRepository implements FrameMetricsRepository {
  constructor(private readonly prisma: PrismaClient) {}

  async saveAll(tx: Tx, rows: FrameMetricsRecord[]): Promise<void> {
    await tx.frameMetric.createMany({ data: rows, skipDuplicates: true });
  }

  forEdit(tenantId: TenantId, editId: string): Promise<FrameMetricsRecord[]> {
    return this.prisma.frameMetric.findMany({
      where: { editId, tenantId },
      select: COLUMNS,
      orderBy: { frameIndex: 'asc' },
    });
  }

  forFrame(tenantId: TenantId, frameId: string): Promise<FrameMetricsRecord | null> {
    return this.prisma.frameMetric.findFirst({ where: { frameId, tenantId }, select: COLUMNS });
  }

  forFrames(tenantId: TenantId, frameIds: readonly string[]): Promise<FrameMetricsRecord[]> {
    return this.prisma.frameMetric.findMany({
      where: { frameId: { in: [...frameIds] }, tenantId },
      select: COLUMNS,
    });
  }
}
