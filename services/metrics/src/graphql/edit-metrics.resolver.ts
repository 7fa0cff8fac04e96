import type { TenantId } from '@f2f/database';
import { CurrentTenant } from '@f2f/platform';
import { Inject } from '@nestjs/common';
import { Parent, ResolveField, ResolveReference, Resolver } from '@nestjs/graphql';

import { FRAME_METRICS, type FrameMetricsRepository } from '../measurement/frame-metrics.repository';

import { type MetricsSummaryView, summarizeMetrics } from './metrics-summary';

/**
 * The edit as the gateway represents it: its id and, for metricsSummary (`@requires`), the selected
 * frame the edits service resolved (null: nothing selected yet, or no frame fulfils the edit).
 */
export interface EditRepresentation {
  __typename: 'Edit';
  id: string;
  selectedFrame?: { id: string } | null;
}

/** Edit.metricsSummary: means over the path and the selected frame's metrics (never read from edits). */
@Resolver('Edit')
export class EditMetricsResolver {
  constructor(@Inject(FRAME_METRICS) private readonly frameMetrics: FrameMetricsRepository) {}

  @ResolveReference()
  resolveReference(ref: EditRepresentation): EditRepresentation {
    return ref;
  }

  /** Only the caller's tenant's rows: another tenant's edit id, or frame id, finds nothing. */
  @ResolveField('metricsSummary')
  async metricsSummary(
    @Parent() edit: EditRepresentation,
    @CurrentTenant() tenantId: TenantId,
  ): Promise<MetricsSummaryView | null> {
    const rows = await this.frameMetrics.forEdit(tenantId, edit.id);
    return summarizeMetrics(rows, edit.selectedFrame?.id ?? null);
  }
}
