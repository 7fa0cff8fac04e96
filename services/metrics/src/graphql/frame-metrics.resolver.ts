import type { TenantId } from '@f2f/database';
import { CurrentTenant } from '@f2f/platform';
import { Inject } from '@nestjs/common';
import { Parent, ResolveField, ResolveReference, Resolver } from '@nestjs/graphql';
import DataLoader from 'dataloader';

import {
  FRAME_METRICS,
  type FrameMetricsRecord,
  type FrameMetricsRepository,
} from '../measurement/frame-metrics.repository';

import { type FrameMetricsView, toView } from './frame-metrics.view';

interface FrameRef {
  __typename: 'Frame';
  id: string;
}

interface FrameKey {
  tenantId: TenantId;
  frameId: string;
}

/**
 * Loads the metrics of every frame asked for in one tick with one query per tenant: an edit's 49
 * frames come as 49 entity references in one `_entities` call, which would otherwise be 49
 * queries. Nothing is cached between ticks (the loader only batches), so an answer is never stale.
 */
export function frameMetricsLoader(
  repository: FrameMetricsRepository,
): DataLoader<FrameKey, FrameMetricsRecord | null, string> {
  return new DataLoader<FrameKey, FrameMetricsRecord | null, string>(
    async (keys) => {
      const byTenant = new Map<TenantId, string[]>();
      for (const k of keys) byTenant.set(k.tenantId, [...(byTenant.get(k.tenantId) ?? []), k.frameId]);
      const found = new Map<string, FrameMetricsRecord>();
      await Promise.all(
        [...byTenant].map(async ([tenantId, ids]) => {
          for (const row of await repository.forFrames(tenantId, [...new Set(ids)]))
            found.set(`${tenantId}/${row.frameId}`, row);
        }),
      );
      return keys.map((k) => found.get(`${k.tenantId}/${k.frameId}`) ?? null);
    },
    { cache: false, maxBatchSize: 500 },
  );
}

@Resolver('Frame')
export class FrameMetricsResolver {
  private readonly loader: DataLoader<FrameKey, FrameMetricsRecord | null, string>;

  constructor(@Inject(FRAME_METRICS) frameMetrics: FrameMetricsRepository) {
    this.loader = frameMetricsLoader(frameMetrics);
  }

  @ResolveReference()
  resolveReference(ref: FrameRef): FrameRef {
    return ref;
  }

  @ResolveField('metrics')
  async metrics(
    @Parent() frame: FrameRef,
    @CurrentTenant() tenantId: TenantId,
  ): Promise<FrameMetricsView | null> {
    const row = await this.loader.load({ tenantId, frameId: frame.id });
    return row ? toView(row) : null;
  }
}
