import type { Tx } from '../database';
import { createHash } from 'node:crypto';

import { DomainError, ErrorCode } from '@f2f/common';
import {
  type EventEnvelope,
  type EventPayloads,
  type FrameRef,
  makeEnvelope,
  outputSize,
  Topic,
} from '@f2f/contracts';
import {
  type ContentBox,
  cropToSource,
  encodeFrame,
  FRAME_CONTENT_TYPES,
  isLosslessEncoding,
  prepareSource,
  VIDEO_HEIGHT,
  VIDEO_WIDTH,
} from '@f2f/imaging';
import { type HandlerContext, OutboxWriter } from '@f2f/messaging';
import { BLOB_STORE } from '@f2f/platform';
import { blobKeys, type BlobStore } from '@f2f/storage';
import { metrics } from '@f2f/telemetry';
import { Inject, Injectable } from '@nestjs/common';

import { CandidateProgress } from './candidate-progress';
import { CANCELLED_EDITS, type CancelledEditsRepository } from './cancelled-edits.repository';
import { OUTBOX_REPOSITORY, type OutboxRepository } from './outbox.repository';
import { RunningGenerations } from './running-generations';
import { VIDEO_GENERATION_SETTINGS, type VideoGenerationSettings } from './settings';
import {
  type GenerationEvent,
  GenerationCancelled,
  VIDEO_GENERATOR,
  type VideoGenerator,
} from './worker-pool';

/** A frame's id is a function of its edit, candidate and index: a re-run announces the same ids. */
export function frameId(editId: string, candidate: number, index: number): string {
  const h = createHash('sha256').update(`${editId}/candidate/${candidate}/frame/${index}`).digest('hex');
  const variant = ((parseInt(h[16], 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

type CaptionCompleted = EventEnvelope<Topic.CaptionCompleted>;
type CandidateResult = EventPayloads[Topic.VideoGenerated]['candidates'][number] & {
  generator: string;
  modelId: string;
};
type Summary = Extract<GenerationEvent, { kind: 'summary' }>;
type ProgressFigures = Omit<EventPayloads[Topic.VideoProgress], 'candidate' | 'worker' | 'frames'>;

/** What every candidate of one edit's generation shares. */
interface Generation {
  event: CaptionCompleted;
  ctx: HandlerContext<Tx>;
  image: Buffer;
  box: ContentBox;
  output: { width: number; height: number };
  signal: AbortSignal;
}

/**
 * caption.completed -> one video per candidate seed from the GPU pool (fanned out across workers).
 * The source is letterboxed to 720×480 first (paper 5.1); every frame is cropped back to the
 * source's region and resized to the output size as it arrives, then written to the blob store and
 * announced whole (never buffering a whole video): the edits service records the frames from
 * video.progress and video.generated. An edit this service learned is cancelled is not generated.
 */
@Injectable()
export class GenerateVideoUseCase {
  constructor(
    private readonly outbox: OutboxWriter,
    private readonly running: RunningGenerations,
    @Inject(CANCELLED_EDITS) private readonly cancelled: CancelledEditsRepository,
    @Inject(OUTBOX_REPOSITORY) private readonly announcements: OutboxRepository,
    @Inject(BLOB_STORE) private readonly blobs: BlobStore,
    @Inject(VIDEO_GENERATOR) private readonly generator: VideoGenerator,
    @Inject(VIDEO_GENERATION_SETTINGS) private readonly settings: VideoGenerationSettings,
  ) {}

  async execute(event: CaptionCompleted, ctx: HandlerContext<Tx>): Promise<void> {
    if (await ctx.alreadyHandled()) return;
    const { editId, tenantId } = event;
    const signal = this.running.start(editId);
    try {
      if (await this.cancelled.isCancelled(tenantId, editId)) throw new GenerationCancelled();
      const generation = await this.prepare(event, ctx, signal);
      const results = await Promise.all(
        Array.from({ length: event.payload.options.candidates }, (_, candidate) =>
          this.generateCandidate(generation, candidate),
        ),
      );
      await this.announceGenerated(generation, results);
    } catch (error) {
      if (!(error instanceof GenerationCancelled)) throw error;
      // Cancelled: handled for good (no retry), and nothing further is announced.
      await ctx.transaction(async () => undefined);
      ctx.logger.info('generation stopped: the edit was cancelled');
    } finally {
      this.running.finish(editId);
    }
  }

  private async prepare(
    event: CaptionCompleted,
    ctx: HandlerContext<Tx>,
    signal: AbortSignal,
  ): Promise<Generation> {
    const { options, sourceWidth, sourceHeight, sourceKey } = event.payload;
    const prepared = await prepareSource(await this.blobs.get(sourceKey));
    const output = outputSize(options, { width: sourceWidth, height: sourceHeight });
    return { event, ctx, image: prepared.png, box: prepared.box, output, signal };
  }

  /** video.generated, in the transaction of the inbox record of caption.completed. */
  private async announceGenerated(
    { event, ctx, output }: Generation,
    results: { frames: FrameRef[]; result: CandidateResult }[],
  ): Promise<void> {
    const frames = results.flatMap((r) => r.frames);
    await ctx.transaction(async (tx) => {
      await this.outbox.enqueue(
        tx,
        makeEnvelope({
          type: Topic.VideoGenerated,
          editId: event.editId,
          tenantId: event.tenantId,
          cause: event,
          payload: {
            targetCaption: event.payload.targetCaption,
            temporalCaption: event.payload.temporalCaption,
            sourceKey: event.payload.sourceKey,
            groundTruthKey: event.payload.groundTruthKey,
            model: results[0].result.modelId,
            generator: results[0].result.generator,
            width: output.width,
            height: output.height,
            candidates: results.map(({ result: { generator: _g, modelId: _m, ...candidate } }) => candidate),
            frames,
            computeSeconds: results.reduce((s, r) => s + r.result.computeSeconds, 0),
            selection: event.payload.options.selection,
          },
        }),
      );
    });
    ctx.logger.info({ candidates: results.length, frames: frames.length }, 'video generated');
  }

  /** One candidate's video: its stream of events, each frame stored and announced as it lands. */
  private async generateCandidate(
    generation: Generation,
    candidate: number,
  ): Promise<{ frames: FrameRef[]; result: CandidateResult }> {
    const { event, signal } = generation;
    const { options } = event.payload;
    const seed = options.seed + candidate;
    const progress = new CandidateProgress(this.settings.progressMinIntervalMs);
    let summary: Summary | undefined;
    // Frames are stored up to `framesInFlight` at a time (their encodes overlap the next frames'
    // arrival) and recorded in the order they came; any other event first waits for them all, so a
    // new attempt never mixes with the frames of the one before.
    const storing: Promise<FrameRef>[] = [];
    const recordNext = async () =>
      this.onFrameStored(generation, candidate, progress, await storing.shift()!);
    for await (const item of this.generator.generate(this.requestFor(generation, candidate, seed), {
      deadline: new Date(Date.now() + this.settings.deadlineMs),
      signal,
    })) {
      if (item.kind === 'frame') {
        const stored = this.storeFrame(generation, candidate, seed, item);
        stored.catch(() => undefined); // awaited in order below; a failure surfaces there
        storing.push(stored);
        if (storing.length >= this.settings.framesInFlight) await recordNext();
        continue;
      }
      while (storing.length > 0) await recordNext();
      if (item.kind === 'summary') summary = item;
      else await this.onStreamEvent(generation, candidate, seed, progress, item);
    }
    while (storing.length > 0) await recordNext();
    return {
      frames: this.completePath(progress, options.frames, summary),
      result: this.candidateResult(candidate, seed, summary!),
    };
  }

  private requestFor(
    { event, image }: Generation,
    candidate: number,
    seed: number,
  ): Parameters<VideoGenerator['generate']>[0] {
    const { options, temporalCaption } = event.payload;
    return {
      requestId: `${event.editId}/candidate-${candidate}`,
      image,
      prompt: temporalCaption,
      numFrames: options.frames,
      steps: options.steps,
      guidance: options.guidance,
      fps: options.fps,
      seed,
      width: VIDEO_WIDTH,
      height: VIDEO_HEIGHT,
      model: options.model,
    };
  }

  private async onStreamEvent(
    generation: Generation,
    candidate: number,
    seed: number,
    progress: CandidateProgress,
    item: Exclude<GenerationEvent, Summary | { kind: 'frame' }>,
  ): Promise<void> {
    const { ctx, event } = generation;
    const { options } = event.payload;
    switch (item.kind) {
      case 'started':
        progress.restart(item.worker);
        ctx.logger.info(
          { candidate, seed, worker: item.worker, attempt: item.attempt },
          'generation started',
        );
        return;
      case 'progress':
        await ctx.heartbeat();
        await this.announceProgress(generation, candidate, progress, {
          phase: 'denoising',
          step: item.step,
          totalSteps: item.totalSteps,
          framesReady: 0,
          totalFrames: options.frames,
          force: item.step === 1 || item.step === item.totalSteps,
        });
        return;
    }
  }

  /** A frame stored: recorded for the path and announced (throttled; the last frame always). */
  private async onFrameStored(
    generation: Generation,
    candidate: number,
    progress: CandidateProgress,
    frame: FrameRef,
  ): Promise<void> {
    const { options } = generation.event.payload;
    progress.stored(frame);
    await generation.ctx.heartbeat();
    await this.announceProgress(generation, candidate, progress, {
      phase: 'frames',
      step: options.steps,
      totalSteps: options.steps,
      framesReady: progress.framesReady,
      totalFrames: options.frames,
      force: progress.framesReady === options.frames,
    });
  }

  /** video.progress with the frames stored since the candidate's previous one (throttled). */
  private async announceProgress(
    { event }: Generation,
    candidate: number,
    progress: CandidateProgress,
    { force, ...figures }: ProgressFigures & { force: boolean },
  ): Promise<void> {
    const frames = progress.takeAnnouncement(force);
    if (frames === null) return;
    await this.announcements.publish(
      makeEnvelope({
        type: Topic.VideoProgress,
        editId: event.editId,
        tenantId: event.tenantId,
        cause: event,
        payload: { candidate, worker: progress.worker, ...figures, frames },
      }),
    );
  }

  /** The candidate's frames, once the stream ended with a summary and every frame. */
  private completePath(
    progress: CandidateProgress,
    expected: number,
    summary: Summary | undefined,
  ): FrameRef[] {
    if (!summary)
      throw new DomainError(ErrorCode.Unavailable, 'the generator ended the stream without a summary');
    if (progress.framesReady !== expected) {
      throw new DomainError(
        ErrorCode.Unavailable,
        `the generator sent ${progress.framesReady} frames, expected ${expected}`,
      );
    }
    return progress.path();
  }

  private candidateResult(candidate: number, seed: number, summary: Summary): CandidateResult {
    return {
      candidate,
      seed,
      computeSeconds: summary.computeSeconds,
      worker: summary.worker,
      attempts: summary.attempts,
      generator: summary.generator,
      modelId: summary.modelId,
    };
  }

  /**
   * The frame as generated and cropped back to the source's region, in the blob store in the storage
   * format; a lossy format also keeps the edited frame's lossless copy (what metrics and selection read).
   */
  private async storeFrame(
    { event, box, output }: Generation,
    candidate: number,
    seed: number,
    item: Extract<GenerationEvent, { kind: 'frame' }>,
  ): Promise<FrameRef> {
    const { editId, tenantId } = event;
    const encoding = this.settings.frameEncoding;
    const contentType = FRAME_CONTENT_TYPES[encoding.format];
    const lossless = isLosslessEncoding(encoding);
    const rawBlobKey = blobKeys.rawFrame(tenantId, editId, candidate, item.index, encoding.format);
    const blobKey = blobKeys.frame(tenantId, editId, candidate, item.index, encoding.format);
    const losslessBlobKey = lossless
      ? undefined
      : blobKeys.losslessFrame(tenantId, editId, candidate, item.index);
    const edited = await cropToSource(item.png, box, output.width, output.height);
    const encode = (image: Buffer) => (lossless ? Promise.resolve(image) : encodeFrame(image, encoding));
    const [raw, frame] = await Promise.all([encode(item.png), encode(edited)]);
    const [, stored] = await Promise.all([
      this.blobs.put(rawBlobKey, raw, contentType),
      this.blobs.put(blobKey, frame, contentType),
      losslessBlobKey ? this.blobs.put(losslessBlobKey, edited, 'image/png') : undefined,
    ]);
    metrics.framesWritten.inc();
    return {
      candidate,
      index: item.index,
      frameId: frameId(editId, candidate, item.index),
      blobKey,
      rawBlobKey,
      ...(losslessBlobKey ? { losslessBlobKey } : {}),
      seed,
      width: output.width,
      height: output.height,
      bytes: stored.bytes,
      sha256: stored.sha256,
    };
  }
}
