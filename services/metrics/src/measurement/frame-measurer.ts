import type { FrameMetrics, FrameRef } from '@f2f/contracts';
import { decodeRgba, letterbox } from '@f2f/imaging';
import type { ImageReference, LearnedMetrics } from '@f2f/learned-metrics';
import { BLOB_STORE } from '@f2f/platform';
import type { BlobStore } from '@f2f/storage';
import { Inject, Injectable } from '@nestjs/common';

import { FRAME_WORK, type FrameReference, type FrameWork, shareImage } from './frame-work';
import {
  framesPerBatch,
  LEARNED_METRICS,
  MEASURE_OPTIONS,
  type MeasureOptions,
} from './learned-metrics.provider';
import { toSsimImage } from './pixel-metrics';

/** What an edit's frames are measured against, and at what size. */
export interface MeasurePlan {
  editId: string;
  sourceKey: string;
  groundTruthKey: string | null;
  targetCaption: string;
  /** The stored frames' size: the source (and ground truth) are letterboxed to it. */
  width: number;
  height: number;
}

export interface References {
  frame: FrameReference;
  learned: { source: ImageReference; text: Float32Array; target: ImageReference | null } | null;
}

/** References kept for the edits measured last: an edit's frames come in several turns. */
const REFERENCES_KEPT = 2;

/**
 * Measures frames against an edit's references: each frame's decoding, the networks' preprocessing,
 * SSIM and PSNR on the FrameWork (worker threads), then each batch through the networks. One
 * measurement runs at a time per process (`exclusive`): the frame threads and the networks already
 * keep both cores busy with one, so a second at once would gain nothing and hold a second source,
 * reference and batch in memory.
 */
@Injectable()
export class FrameMeasurer {
  private queue: Promise<void> = Promise.resolve();
  private readonly references = new Map<string, Promise<References>>();

  constructor(
    @Inject(BLOB_STORE) private readonly blobs: BlobStore,
    @Inject(LEARNED_METRICS) private readonly learned: LearnedMetrics | null,
    @Inject(MEASURE_OPTIONS) private readonly options: MeasureOptions,
    @Inject(FRAME_WORK) private readonly frameWork: FrameWork,
  ) {}

  /** The learned metrics' model set, null without one. */
  get metricModels(): string | null {
    return this.learned?.modelId ?? null;
  }

  get hasLearnedMetrics(): boolean {
    return this.learned !== null;
  }

  /**
   * Runs `work` after every measurement queued before it; `keepAlive` is called every 3 s while it
   * waits for its turn (a consumer's session stays alive).
   */
  async exclusive<T>(work: () => Promise<T>, keepAlive?: () => Promise<void>): Promise<T> {
    const timer = keepAlive ? setInterval(() => void keepAlive().catch(() => undefined), 3_000) : undefined;
    const turn = this.queue.then(() => {
      clearInterval(timer);
      return work();
    });
    this.queue = turn.then(
      () => undefined,
      () => undefined,
    );
    try {
      return await turn;
    } finally {
      clearInterval(timer);
    }
  }

  /**
   * Every frame's metrics, in batches of `batchSize` (fewer when the frames are large), so memory does
   * not grow with the path; `afterBatch` runs after each (a heartbeat).
   */
  async measure(
    plan: MeasurePlan,
    frames: readonly FrameRef[],
    afterBatch?: () => Promise<void>,
  ): Promise<FrameMetrics[]> {
    const refs = await this.referencesOf(plan);
    const perBatch = framesPerBatch(this.options, plan.width, plan.height);
    const series: FrameMetrics[] = [];
    for (let start = 0; start < frames.length; start += perBatch) {
      series.push(...(await this.measureBatch(plan, refs, frames.slice(start, start + perBatch))));
      await afterBatch?.();
    }
    return series;
  }

  /** The plan's references, computed once for the edits measured last. */
  private referencesOf(plan: MeasurePlan): Promise<References> {
    const key = `${plan.editId}:${plan.width}x${plan.height}:${plan.sourceKey}:${plan.groundTruthKey}:${plan.targetCaption}`;
    let refs = this.references.get(key);
    if (!refs) {
      refs = this.computeReferences(plan, key);
      refs.catch(() => this.references.delete(key));
      this.references.set(key, refs);
      for (const old of this.references.keys()) {
        if (this.references.size <= REFERENCES_KEPT) break;
        this.references.delete(old);
      }
    }
    return refs;
  }

  /** The source (and ground truth) at the frames' size, and what the networks compare frames to. */
  private async computeReferences(plan: MeasurePlan, key: string): Promise<References> {
    const { width, height, sourceKey, groundTruthKey, targetCaption } = plan;
    const decodeAt = async (blob: string) =>
      decodeRgba(await letterbox(await this.blobs.get(blob), width, height));
    const source = await decodeAt(sourceKey);
    const frame: FrameReference = {
      key,
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

  private async measureBatch(
    { width, height }: MeasurePlan,
    refs: References,
    batch: readonly FrameRef[],
  ): Promise<FrameMetrics[]> {
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
}
