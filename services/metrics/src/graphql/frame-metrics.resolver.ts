import type { TenantId } from '@f2f/database';
import { CurrentTenant } from '@f2f/platform';
import { Inject } from '@nestjs/common';
import { Parent, ResolveField, ResolveReference, Resolver } from '@nestjs/graphql';

import { FRAME_METRICS, type FrameMetricsRepository } from '../measurement/frame-metrics.repository';

import { type FrameMetricsView, toView } from './frame-metrics.view';

interface FrameRef {
  __typename: 'Frame';
  id: string;
}

@Resolver('Frame')
export class FrameMetricsResolver {
  constructor(@Inject(FRAME_METRICS) private readonly frameMetrics: FrameMetricsRepository) {}

  @ResolveReference()
  resolveReference(ref: FrameRef): FrameRef {
    return ref;
  }

  @ResolveField('metrics')
  async metrics(
    @Parent() frame: FrameRef,
    @CurrentTenant() tenantId: TenantId,
  ): Promise<FrameMetricsView | null> {
    const row = await this.frameMetrics.forFrame(tenantId, frame.id);
    return row ? toView(row) : null;
  }
}
