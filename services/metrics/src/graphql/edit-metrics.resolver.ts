import type { TenantId } from '@f2f/database';
import type { PrismaClient } from '../database';
import { CurrentTenant, PRISMA } from '@f2f/platform';
import { Inject } from '@nestjs/common';
import { Parent, ResolveField, ResolveReference, Resolver } from '@nestjs/graphql';

import { FRAME_METRICS_SELECT, type FrameMetricsView, toView } from './frame-metrics.view';

interface EditRef {
  __typename: 'Edit';
  id: string;
}

export interface MetricsSummaryView {
  frameCount: number;
  mean: FrameMetricsView;
  selected: FrameMetricsView | null;
}

type Averaged = 'ssim' | 'psnr' | 'lpips' | 'clipI' | 'clipScore' | 'targetLpips' | 'targetClipI';

/** Edit.metricsSummary: means over the path and the selected frame's metrics. */
@Resolver('Edit')
export class EditMetricsResolver {
  constructor(@Inject(PRISMA) private readonly prisma: PrismaClient) {}

  @ResolveReference()
  resolveReference(ref: EditRef): EditRef {
    return ref;
  }

  @ResolveField('metricsSummary')
  async metricsSummary(
    @Parent() edit: EditRef,
    @CurrentTenant() tenantId: TenantId,
  ): Promise<MetricsSummaryView | null> {
    const rows = await this.prisma.frameMetric.findMany({
      where: { editId: edit.id, tenantId },
      select: { ...FRAME_METRICS_SELECT, frame: { select: { candidate: true, index: true } } },
    });
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
      targetLpips: avg('targetLpips'),
      targetClipI: avg('targetClipI'),
      models: models.length === 1 ? models[0] : models.filter(Boolean).join(','),
    };
    // The selection is the edits service's; read its row (same database), never written here.
    const owner = await this.prisma.edit.findFirst({
      where: { id: edit.id, tenantId },
      select: { selectedCandidate: true, selectedFrameIndex: true },
    });
    const chosen =
      owner?.selectedCandidate != null && owner.selectedFrameIndex != null
        ? rows.find(
            (r) =>
              r.frame.candidate === owner.selectedCandidate && r.frame.index === owner.selectedFrameIndex,
          )
        : undefined;
    const { frame: _f, ...selected } = chosen ?? { frame: null };
    return { frameCount: rows.length, mean, selected: chosen ? toView(selected as typeof chosen) : null };
  }
}
