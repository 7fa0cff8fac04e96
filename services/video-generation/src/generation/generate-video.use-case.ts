import { createHash } from 'node:crypto';

import { DomainError, ErrorCode } from '@f2f/common';
import { type EventEnvelope, makeEnvelope, Topic } from '@f2f/contracts';
import type { PrismaClient } from '@f2f/database';
import { VIDEO_HEIGHT, VIDEO_WIDTH } from '@f2f/imaging';
import { type HandlerContext, OutboxWriter } from '@f2f/messaging';
import { BLOB_STORE, PRISMA } from '@f2f/platform';
import { blobKeys, type BlobStore } from '@f2f/storage';
import { Inject, Injectable } from '@nestjs/common';

import { VIDEO_GENERATION_SETTINGS, type VideoGenerationSettings } from './settings';
import { type GenerationEvent, VIDEO_GENERATOR, type VideoGenerator } from './video-generator.client';

/** A frame's id is a function of its edit and index, so a re-run of a generation upserts the same rows. */
export function frameId(editId: string, index: number): string {
  const h = createHash('sha256').update(`${editId}/frame/${index}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h[16], 16) & 0x3) | 0x8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/**
 * caption.completed -> frames from the GPU pool, each written to the blob store and recorded as it
 * arrives (never buffering the whole video), progress events on the way -> video.generated.
 */
@Injectable()
export class GenerateVideoUseCase {
  constructor(
    private readonly outbox: OutboxWriter,
    @Inject(PRISMA) private readonly prisma: PrismaClient,
    @Inject(BLOB_STORE) private readonly blobs: BlobStore,
    @Inject(VIDEO_GENERATOR) private readonly generator: VideoGenerator,
    @Inject(VIDEO_GENERATION_SETTINGS) private readonly settings: VideoGenerationSettings,
  ) {}

  async execute(event: EventEnvelope<Topic.CaptionCompleted>, ctx: HandlerContext): Promise<void> {
    if (await ctx.alreadyHandled()) return;
    const { editId, tenantId } = event;
    const { options, temporalCaption, targetCaption, sourceKey } = event.payload;
    const image = await this.blobs.get(sourceKey);
    const deadline = new Date(Date.now() + this.settings.deadlineMs);
    const frames: { index: number; frameId: string; blobKey: string }[] = [];
    let summary: Extract<GenerationEvent, { kind: 'summary' }> | undefined;
    let lastProgressAt = 0;
    const progress = async (payload: EventEnvelope<Topic.VideoProgress>['payload'], force: boolean) => {
      const now = Date.now();
      if (!force && now - lastProgressAt < this.settings.progressMinIntervalMs) return;
      lastProgressAt = now;
      await this.prisma.$transaction((tx) =>
        this.outbox.enqueue(
          tx,
          makeEnvelope({ type: Topic.VideoProgress, editId, tenantId, cause: event, payload }),
        ),
      );
    };

    for await (const item of this.generator.generate(
      {
        requestId: `${editId}/seed-${options.seed}`,
        image,
        prompt: temporalCaption,
        numFrames: options.frames,
        steps: options.steps,
        guidance: options.guidance,
        fps: options.fps,
        seed: options.seed,
        width: VIDEO_WIDTH,
        height: VIDEO_HEIGHT,
        model: options.model,
      },
      deadline,
    )) {
      switch (item.kind) {
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
          const key = blobKeys.frame(tenantId, editId, item.index);
          const stored = await this.blobs.put(key, item.png, 'image/png');
          const id = frameId(editId, item.index);
          await this.prisma.frame.upsert({
            where: { editId_index: { editId, index: item.index } },
            create: {
              id,
              tenantId,
              editId,
              index: item.index,
              blobKey: key,
              width: item.width,
              height: item.height,
              bytes: stored.bytes,
              sha256: stored.sha256,
            },
            update: {
              blobKey: key,
              width: item.width,
              height: item.height,
              bytes: stored.bytes,
              sha256: stored.sha256,
            },
          });
          frames.push({ index: item.index, frameId: id, blobKey: key });
          await ctx.heartbeat();
          await progress(
            {
              phase: 'frames',
              step: options.steps,
              totalSteps: options.steps,
              framesReady: frames.length,
              totalFrames: options.frames,
            },
            frames.length === options.frames,
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
    if (frames.length !== options.frames) {
      throw new DomainError(
        ErrorCode.Unavailable,
        `the generator sent ${frames.length} frames, expected ${options.frames}`,
      );
    }
    const done = summary;
    await ctx.transaction(async (tx) => {
      await this.outbox.enqueue(
        tx,
        makeEnvelope({
          type: Topic.VideoGenerated,
          editId,
          tenantId,
          cause: event,
          payload: {
            targetCaption,
            temporalCaption,
            sourceKey,
            seed: done.seed,
            model: done.modelId,
            generator: done.generator,
            width: VIDEO_WIDTH,
            height: VIDEO_HEIGHT,
            frames,
            computeSeconds: done.computeSeconds,
          },
        }),
      );
    });
    ctx.logger.info(
      { frames: frames.length, generator: done.generator, seconds: done.computeSeconds },
      'video generated',
    );
  }
}
