import type { TenantId } from '@f2f/database';
import type { PrismaClient } from '../database';
import { CurrentTenant, PRISMA } from '@f2f/platform';
import { Inject } from '@nestjs/common';
import { Parent, ResolveField, ResolveReference, Resolver } from '@nestjs/graphql';

import { FRAME_METRICS_SELECT, type FrameMetricsView, toView } from './frame-metrics.view';

interface FrameRef {
  __typename: 'Frame';
  id: string;
}

@Resolver('Frame')
export class FrameMetricsResolver {
  constructor(@Inject(PRISMA) private readonly prisma: PrismaClient) {}

  @ResolveReference()
  resolveReference(ref: FrameRef): FrameRef {
    return ref;
  }

  @ResolveField('metrics')
  async metrics(
    @Parent() frame: FrameRef,
    @CurrentTenant() tenantId: TenantId,
  ): Promise<FrameMetricsView | null> {
    const row = await this.prisma.frameMetric.findFirst({
      where: { frameId: frame.id, tenantId },
      select: FRAME_METRICS_SELECT,
    });
    return row ? toView(row) : null;
  }
}
