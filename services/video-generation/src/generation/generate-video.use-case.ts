import { createHash } from 'node:crypto';

import { DomainError, ErrorCode } from '@f2f/common';
import { type EventEnvelope, type EventPayloads, makeEnvelope, outputSize, Topic } from '@f2f/contracts';
import type { PrismaClient } from '../database';
import { type ContentBox, cropToSource, prepareSource, VIDEO_HEIGHT, VIDEO_WIDTH } from '@f2f/imaging';
import { type HandlerContext, OutboxWriter } from '@f2f/messaging';
import { BLOB_STORE, PRISMA } from '@f2f/platform';
import { blobKeys, type BlobStore } from '@f2f/storage';
import { Inject, Injectable } from '@nestjs/common';

import { RunningGenerations } from './cancellations';
import { VIDEO_GENERATION_SETTINGS, type VideoGenerationSettings } from './settings';
import {
  type GenerationEvent,
  GenerationCancelled,
  VIDEO_GENERATOR,
  type VideoGenerator,
} from './worker-pool';

/** A frame's id is a function of its edit, candidate and index: a re-run upserts the same rows. */
export function frameId(editId: string, candidate: number, index: number): string {
  const h = createHash('sha256').update(`${editId}/candidate/${candidate}/frame/${index}`).digest('hex');
  const variant = ((parseInt(h[16], 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

type FrameRef = EventPayloads[Topic.VideoGenerated]['frames'][number];
type CandidateResult = EventPayloads[Topic.VideoGenerated]['candidates'][number] & {
  generator: string;
  modelId: string;
};

/**
 * caption.completed -> one video per candidate seed from the GPU pool (fanned out across workers).
 * The source is letterboxed to 720×480 first (paper 5.1); every frame is cropped back to the
 * source's region and resized to the output size as it arrives, then written to the blob store and
 * recorded (never buffering a whole video); progress goes out throttled -> video.generated.
 */
@Injectable()
export class GenerateVideoUseCase {
  constructor(
    private readonly outbox: OutboxWriter,
    private readonly running: RunningGenerations,
    @Inject(PRISMA) private readonly prisma: PrismaClient,
    @Inject(BLOB_STORE) private readonly blobs: BlobStore,
    @Inject(VIDEO_GENERATOR) private readonly generator: VideoGenerator,
    @Inject(VIDEO_GENERATION_SETTINGS) private readonly settings: VideoGenerationSettings,
  ) {}

  async execute(event: EventEnvelope<Topic.CaptionCompleted>, ctx: HandlerContext): Promise<void> {
    if (await ctx.alreadyHandled()) return;
    const { editId, tenantId } = event;
    const { options, sourceWidth, sourceHeight } = event.payload;
    const signal = this.running.start(editId);
    try {
      if (await this.isCancelled(editId)) throw new GenerationCancelled();
      const prepared = await prepareSource(await this.blobs.get(event.payload.sourceKey));
      const output = outputSize(options, { width: sourceWidth, height: sourceHeight });
      const results = await Promise.all(
        Array.from({ length: options.candidates }, (_, candidate) =>
          this.generateCandidate(event, ctx, candidate, prepared.png, prepared.box, output, signal),
        ),
      );
      const frames = results.flatMap((r) => r.frames);
      await ctx.transaction(async (tx) => {
        await this.outbox.enqueue(
          tx,
          makeEnvelope({
            type: Topic.VideoGenerated,
            editId,
            tenantId,
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
              candidates: results.map(
                ({ result: { generator: _g, modelId: _m, ...candidate } }) => candidate,
              ),
              frames,
              computeSeconds: results.reduce((s, r) => s + r.result.computeSeconds, 0),
              selection: options.selection,
            },
          }),
        );
      });
      ctx.logger.info({ candidates: results.length, frames: frames.length }, 'video generated');
    } catch (error) {
      if (!(error instanceof GenerationCancelled)) throw error;
      // Cancelled: handled for good (no retry), and nothing further is announced.
      await ctx.transaction(async () => undefined);
      ctx.logger.info('generation stopped: the edit was cancelled');
    } finally {
      this.running.finish(editId);
    }
  }

  private async generateCandidate(
    event: EventEnvelope<Topic.CaptionCompleted>,
    ctx: HandlerContext,
    candidate: number,
    image: Buffer,
    box: ContentBox,
    output: { width: number; height: number },
    signal: AbortSignal,
  ): Promise<{ frames: FrameRef[]; result: CandidateResult }> {
    const { editId, tenantId } = event;
    const { options, temporalCaption } = event.payload;
    const seed = options.seed + candidate;
    const frames = new Map<number, FrameRef>();
    let summary: Extract<GenerationEvent, { kind: 'summary' }> | undefined;
    let lastProgressAt = 0;
    let worker = '';
    /** Frames stored since the last progress event: each is announced once. */
    let unannounced: FrameRef[] = [];
    const progress = async (
      payload: Omit<EventPayloads[Topic.VideoProgress], 'candidate' | 'worker' | 'frames'>,
      force: boolean,
    ) => {
      const now = Date.now();
      if (!force && now - lastProgressAt < this.settings.progressMinIntervalMs) return;
      lastProgressAt = now;
      const landed = unannounced;
      unannounced = [];
      await this.prisma.$transaction((tx) =>
        this.outbox.enqueue(
          tx,
          makeEnvelope({
            type: Topic.VideoProgress,
            editId,
            tenantId,
            cause: event,
            payload: { candidate, worker, ...payload, frames: landed },
          }),
        ),
      );
    };

    for await (const item of this.generator.generate(
      {
        requestId: `${editId}/candidate-${candidate}`,
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
      },
      { deadline: new Date(Date.now() + this.settings.deadlineMs), signal },
    )) {
      switch (item.kind) {
        case 'started':
          // A new attempt (another worker after one died) starts the path over with the same seed.
          frames.clear();
          unannounced = [];
          worker = item.worker;
          lastProgressAt = 0;
          ctx.logger.info(
            { candidate, seed, worker: item.worker, attempt: item.attempt },
            'generation started',
          );
          break;
        case 'progress':
          await ctx.heartbeat();
          await progress(
            {
              phase: 'denoising',
              step: item.step,
              totalSteps: item.totalSteps,
              framesReady: 0,
              totalFrames: options.frames,
            },
            item.step === 1 || item.step === item.totalSteps,
          );
          break;
        case 'frame': {
          const ref = await this.storeFrame(editId, tenantId, candidate, seed, item, box, output);
          frames.set(item.index, ref);
          unannounced.push(ref);
          await ctx.heartbeat();
          await progress(
            {
              phase: 'frames',
              step: options.steps,
              totalSteps: options.steps,
              framesReady: frames.size,
              totalFrames: options.frames,
            },
            frames.size === options.frames,
          );
          break;
        }
        case 'summary':
          summary = item;
          break;
      }
    }
    if (!summary)
      throw new DomainError(ErrorCode.Unavailable, 'the generator ended the stream without a summary');
    if (frames.size !== options.frames) {
      throw new DomainError(
        ErrorCode.Unavailable,
        `the generator sent ${frames.size} frames, expected ${options.frames}`,
      );
    }
    return {
      frames: [...frames.values()].sort((a, b) => a.index - b.index),
      result: {
        candidate,
        seed,
        computeSeconds: summary.computeSeconds,
        worker: summary.worker,
        attempts: summary.attempts,
        generator: summary.generator,
        modelId: summary.modelId,
      },
    };
  }

  private async storeFrame(
    editId: string,
    tenantId: string,
    candidate: number,
    seed: number,
    item: Extract<GenerationEvent, { kind: 'frame' }>,
    box: ContentBox,
    output: { width: number; height: number },
  ): Promise<FrameRef> {
    const rawKey = blobKeys.rawFrame(tenantId, editId, candidate, item.index);
    const key = blobKeys.frame(tenantId, editId, candidate, item.index);
    await this.blobs.put(rawKey, item.png, 'image/png');
    const edited = await cropToSource(item.png, box, output.width, output.height);
    const stored = await this.blobs.put(key, edited, 'image/png');
    const id = frameId(editId, candidate, item.index);
    const data = {
      seed,
      blobKey: key,
      rawBlobKey: rawKey,
      width: output.width,
      height: output.height,
      bytes: stored.bytes,
      sha256: stored.sha256,
    };
    await this.prisma.frame.upsert({
      where: { editId_candidate_index: { editId, candidate, index: item.index } },
      create: { id, tenantId, editId, candidate, index: item.index, ...data },
      update: data,
    });
    return { candidate, index: item.index, frameId: id, blobKey: key };
  }

  private async isCancelled(editId: string): Promise<boolean> {
    const edit = await this.prisma.edit.findUnique({ where: { id: editId }, select: { status: true } });
    return edit?.status === 'CANCELLED';
  }
}
