import type { Tx } from '../database';
import { type EventEnvelope, type FrameMetrics, type FrameRef, makeEnvelope, Topic } from '@f2f/contracts';
import { decodeRgba, letterbox } from '@f2f/imaging';
import type { ImageReference, LearnedMetrics } from '@f2f/learned-metrics';
import { type HandlerContext, OutboxWriter } from '@f2f/messaging';
import { BLOB_STORE } from '@f2f/platform';
import type { BlobStore } from '@f2f/storage';
import { Inject, Injectable } from '@nestjs/common';

import { FRAME_METRICS, type FrameMetricsRepository } from './frame-metrics.repository';
import { FRAME_WORK, type FrameReference, type FrameWork, shareImage } from './frame-work';
import {
  framesPerBatch,
  LEARNED_METRICS,
  MEASURE_OPTIONS,
  type MeasureOptions,
} from './learned-metrics.provider';
import { toSsimImage } from './pixel-metrics';

export const PIXEL_METRICS = ['ssim', 'psnr'] as const;
export const LEARNED_SOURCE_METRICS = ['lpips', 'clipI', 'clipScore'] as const;
export const LEARNED_TARGET_METRICS = ['targetLpips', 'targetClipI'] as const;
export type MetricName =
  | (typeof PIXEL_METRICS)[number]
  | (typeof LEARNED_SOURCE_METRICS)[number]
  | (typeof LEARNED_TARGET_METRICS)[number];
type VideoGenerated = EventEnvelope<Topic.VideoGenerated>;

interface References {
  frame: FrameReference;
  learned: { source: ImageReference; text: Float32Array; target: ImageReference | null } | null;
}

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
 * against the ground-truth image when the edit has one. Frames are decoded and measured in batches
 * of `batchSize`, so memory does not grow with the path: each frame's decoding, preprocessing, SSIM
 * and PSNR on the FrameWork (worker threads), then the batch through the networks -> per-frame rows
 * -> metrics.computed.
 */
@Injectable()
export class MeasureFramesUseCase {
  constructor(
    private readonly outbox: OutboxWriter,
    @Inject(FRAME_METRICS) private readonly frameMetrics: FrameMetricsRepository,
    @Inject(BLOB_STORE) private readonly blobs: BlobStore,
    @Inject(LEARNED_METRICS) private readonly learned: LearnedMetrics | null,
    @Inject(MEASURE_OPTIONS) private readonly options: MeasureOptions,
    @Inject(FRAME_WORK) private readonly frameWork: FrameWork,
  ) {}

  /** The edits measured before this one: one at a time per process (see execute). */
  private queue: Promise<void> = Promise.resolve();

  /**
   * One edit is measured at a time: the frame threads and the networks already keep both cores
   * busy with one, so a second at once would gain nothing and hold a second source, reference and
   * batch in memory. An edit waiting for its turn keeps its consumer's session alive.
   */
  async execute(event: VideoGenerated, ctx: HandlerContext<Tx>): Promise<void> {
    if (await ctx.alreadyHandled()) return;
    const keepAlive = setInterval(() => void ctx.heartbeat().catch(() => undefined), 3_000);
    const turn = this.queue.then(() => {
      clearInterval(keepAlive);
      return this.measure(event, ctx);
    });
    this.queue = turn.catch(() => undefined);
    try {
      await turn;
    } finally {
      clearInterval(keepAlive);
    }
  }

  private async measure(event: VideoGenerated, ctx: HandlerContext<Tx>): Promise<void> {
    const refs = await this.references(event);
    const series: FrameMetrics[] = [];
    const ordered = [...event.payload.frames].sort((a, b) => a.candidate - b.candidate || a.index - b.index);
    const perBatch = framesPerBatch(this.options, event.payload.width, event.payload.height);
    for (let start = 0; start < ordered.length; start += perBatch) {
      series.push(...(await this.measureBatch(event, refs, ordered.slice(start, start + perBatch))));
      await ctx.heartbeat();
    }
    const measured = this.measuredMetrics(event);
    const mean = meanOf(series, measured);
    const metricModels = this.learned?.modelId ?? null;
    await this.record(event, ctx, { series, measured, mean, metricModels });
    ctx.logger.info(
      { frames: series.length, metrics: measured, metricModels, mean },
      this.learned
        ? 'frame metrics computed'
        : 'frame metrics computed (SSIM and PSNR only: no METRIC_MODELS_DIR)',
    );
  }

  /** The source (and ground truth) at the frames' size, and what the networks compare frames to. */
  private async references(event: VideoGenerated): Promise<References> {
    const { width, height, sourceKey, groundTruthKey, targetCaption } = event.payload;
    const decodeAt = async (key: string) =>
      decodeRgba(await letterbox(await this.blobs.get(key), width, height));
    const source = await decodeAt(sourceKey);
    const frame: FrameReference = {
      key: `${event.eventId}:${width}x${height}`,
      pixels: shareImage(source),
      small: shareImage(toSsimImage(source)),
    };
    const learned = this.learned;
    if (!learned) return { frame, learned: null };
    return {
      frame,
      learned: {
        source: await learned.reference(source),
        text: await learned.textEmbedding(targetCaption),
        target: groundTruthKey ? await learned.reference(await decodeAt(groundTruthKey)) : null,
      },
    };
  }

  /**
   * Decoding, the networks' preprocessing, SSIM and PSNR of the batch (in worker threads), then the
   * networks on the prepared batch (here).
   */
  private async measureBatch(
    event: VideoGenerated,
    refs: References,
    batch: FrameRef[],
  ): Promise<FrameMetrics[]> {
    const { width, height } = event.payload;
    const learned = this.learned;
    const work = await Promise.all(
      batch.map(async (frame) =>
        this.frameWork.run({
          image: await this.blobs.get(frame.losslessBlobKey ?? frame.blobKey),
          width,
          height,
          lpipsSize: learned?.lpipsSize ?? null,
          reference: refs.frame,
        }),
      ),
    );
    const scores =
      learned && refs.learned
        ? await learned.measurePrepared(
            work.map((w) => w.prepared!),
            refs.learned.source,
            refs.learned.text,
            refs.learned.target,
          )
        : null;
    return batch.map((frame, i) => ({
      candidate: frame.candidate,
      index: frame.index,
      frameId: frame.frameId,
      ssim: work[i].ssim,
      psnr: work[i].psnr,
      lpips: scores?.[i].lpips ?? null,
      clipI: scores?.[i].clipI ?? null,
      clipScore: scores?.[i].clipScore ?? null,
      clipCosine: scores?.[i].clipCosine ?? null,
      targetLpips: scores?.[i].targetLpips ?? null,
      targetClipI: scores?.[i].targetClipI ?? null,
    }));
  }

  private measuredMetrics(event: VideoGenerated): MetricName[] {
    return [
      ...PIXEL_METRICS,
      ...(this.learned ? LEARNED_SOURCE_METRICS : []),
      ...(this.learned && event.payload.groundTruthKey ? LEARNED_TARGET_METRICS : []),
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
