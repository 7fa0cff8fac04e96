import type { Tx } from '../database';
import { type EventEnvelope, type FrameMetrics, makeEnvelope, Topic } from '@f2f/contracts';
import { type HandlerContext, OutboxWriter } from '@f2f/messaging';
import { metrics } from '@f2f/telemetry';
import { Inject, Injectable } from '@nestjs/common';

import { FRAME_METRICS, type FrameMetricsRepository } from './frame-metrics.repository';
import { FrameMeasurer } from './frame-measurer';
import { LandedFrames } from './landed-frames';

export const PIXEL_METRICS = ['ssim', 'psnr'] as const;
export const LEARNED_SOURCE_METRICS = ['lpips', 'clipI', 'clipScore'] as const;
export const LEARNED_TARGET_METRICS = ['targetLpips', 'targetClipI'] as const;
export type MetricName =
  | (typeof PIXEL_METRICS)[number]
  | (typeof LEARNED_SOURCE_METRICS)[number]
  | (typeof LEARNED_TARGET_METRICS)[number];
type VideoGenerated = EventEnvelope<Topic.VideoGenerated>;

interface Measurement {
  series: FrameMetrics[];
  measured: MetricName[];
  mean: Record<string, number>;
  metricModels: string | null;
}

/**
 * video.generated -> metrics of every edited frame (every candidate) against the source at the
 * frames' size (letterboxed when the output's aspect differs): SSIM and PSNR, and with a model
 * directory LPIPS, CLIP-I and the CLIP score against the target caption, plus LPIPS and CLIP-I
 * against the ground-truth image when the edit has one (FrameMeasurer, in batches) -> per-frame rows
 * -> metrics.computed. The frames measured already as they landed (MeasureLandedFramesUseCase, whose
 * content is still the one measured) are not measured again.
 */
@Injectable()
export class MeasureFramesUseCase {
  constructor(
    private readonly outbox: OutboxWriter,
    @Inject(FRAME_METRICS) private readonly frameMetrics: FrameMetricsRepository,
    private readonly measurer: FrameMeasurer,
    private readonly landed: LandedFrames,
  ) {}

  /** One edit is measured at a time (FrameMeasurer.exclusive); one waiting keeps its session alive. */
  async execute(event: VideoGenerated, ctx: HandlerContext<Tx>): Promise<void> {
    if (await ctx.alreadyHandled()) return;
    await this.measurer.exclusive(() => this.measure(event, ctx), ctx.heartbeat);
  }

  private async measure(event: VideoGenerated, ctx: HandlerContext<Tx>): Promise<void> {
    const { width, height, sourceKey, groundTruthKey, targetCaption } = event.payload;
    const ordered = [...event.payload.frames].sort((a, b) => a.candidate - b.candidate || a.index - b.index);
    const early = this.landed.take(event.tenantId, event.editId, ordered);
    const rest = ordered.filter((f) => !early.has(f.frameId));
    const plan = { editId: event.editId, width, height, sourceKey, groundTruthKey, targetCaption };
    const fresh = new Map(
      (await this.measurer.measure(plan, rest, ctx.heartbeat)).map((m) => [m.frameId, m] as const),
    );
    const series = ordered.map((f) => early.get(f.frameId) ?? fresh.get(f.frameId)!);
    const measured = this.measuredMetrics(event);
    const mean = meanOf(series, measured);
    const metricModels = this.measurer.metricModels;
    await this.record(event, ctx, { series, measured, mean, metricModels });
    metrics.framesMeasured.inc({ when: 'as_they_landed' }, early.size);
    metrics.framesMeasured.inc({ when: 'after_video_generated' }, rest.length);
    ctx.logger.info(
      { frames: series.length, measuredAsTheyLanded: early.size, metrics: measured, metricModels, mean },
      metricModels
        ? 'frame metrics computed'
        : 'frame metrics computed (SSIM and PSNR only: no METRIC_MODELS_DIR)',
    );
  }

  private measuredMetrics(event: VideoGenerated): MetricName[] {
    return [
      ...PIXEL_METRICS,
      ...(this.measurer.hasLearnedMetrics ? LEARNED_SOURCE_METRICS : []),
      ...(this.measurer.hasLearnedMetrics && event.payload.groundTruthKey ? LEARNED_TARGET_METRICS : []),
    ];
  }

  /** The frames' rows and metrics.computed, in the transaction of the inbox record. */
  private async record(
    event: VideoGenerated,
    ctx: HandlerContext<Tx>,
    { series, measured, mean, metricModels }: Measurement,
  ): Promise<void> {
    await ctx.transaction(async (tx) => {
      await this.frameMetrics.saveAll(
        tx,
        series.map(({ candidate: _candidate, index, ...r }) => ({
          ...r,
          clipCosine: r.clipCosine ?? null,
          frameIndex: index,
          metricModels,
          tenantId: event.tenantId,
          editId: event.editId,
        })),
      );
      await this.outbox.enqueue(
        tx,
        makeEnvelope({
          type: Topic.MetricsComputed,
          editId: event.editId,
          tenantId: event.tenantId,
          cause: event,
          payload: {
            frameCount: series.length,
            metrics: measured,
            mean,
            selection: event.payload.selection,
            series,
          },
        }),
      );
    });
  }
}

/** The mean of each measured metric over the frames. */
export function meanOf(series: FrameMetrics[], measured: readonly MetricName[]): Record<string, number> {
  const mean: Record<string, number> = {};
  for (const k of measured) mean[k] = series.reduce((s, r) => s + (r[k] as number), 0) / series.length;
  return mean;
}
