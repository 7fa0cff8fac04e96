import { type EventEnvelope, makeEnvelope, Topic } from '@f2f/contracts';
import { decodeRgba, letterbox } from '@f2f/imaging';
import { type HandlerContext, OutboxWriter } from '@f2f/messaging';
import { BLOB_STORE } from '@f2f/platform';
import type { BlobStore } from '@f2f/storage';
import { Inject, Injectable } from '@nestjs/common';

import { meanSsim, psnr, toSsimScale } from './pixel-metrics';

export const PIXEL_METRICS = ['ssim', 'psnr'] as const;

/**
 * video.generated -> SSIM and PSNR of every edited frame (every candidate) against the source at
 * the frames' size (letterboxed when the output's aspect differs), one frame in memory at a time
 * -> per-frame rows -> metrics.computed.
 */
@Injectable()
export class MeasureFramesUseCase {
  constructor(
    private readonly outbox: OutboxWriter,
    @Inject(BLOB_STORE) private readonly blobs: BlobStore,
  ) {}

  async execute(event: EventEnvelope<Topic.VideoGenerated>, ctx: HandlerContext): Promise<void> {
    if (await ctx.alreadyHandled()) return;
    const { frames, width, height, sourceKey } = event.payload;
    const source = await decodeRgba(await letterbox(await this.blobs.get(sourceKey), width, height));
    const sourceSmall = await toSsimScale(source);
    const rows: {
      frameId: string;
      frameIndex: number;
      candidate: number;
      ssim: number;
      psnr: number;
    }[] = [];
    for (const frame of [...frames].sort((a, b) => a.candidate - b.candidate || a.index - b.index)) {
      const pixels = await decodeRgba(await this.blobs.get(frame.blobKey), width, height);
      rows.push({
        frameId: frame.frameId,
        frameIndex: frame.index,
        candidate: frame.candidate,
        ssim: meanSsim(sourceSmall, await toSsimScale(pixels)),
        psnr: psnr(source, pixels),
      });
      if (rows.length % 8 === 0) await ctx.heartbeat();
    }
    const mean = (k: 'ssim' | 'psnr') => rows.reduce((s, r) => s + r[k], 0) / rows.length;
    await ctx.transaction(async (tx) => {
      await tx.frameMetric.createMany({
        data: rows.map(({ candidate: _candidate, ...r }) => ({
          ...r,
          tenantId: event.tenantId,
          editId: event.editId,
        })),
        skipDuplicates: true,
      });
      await this.outbox.enqueue(
        tx,
        makeEnvelope({
          type: Topic.MetricsComputed,
          editId: event.editId,
          tenantId: event.tenantId,
          cause: event,
          payload: {
            frameCount: rows.length,
            metrics: [...PIXEL_METRICS],
            mean: { ssim: mean('ssim'), psnr: mean('psnr') },
            selection: event.payload.selection,
            series: rows.map((r) => ({
              candidate: r.candidate,
              index: r.frameIndex,
              frameId: r.frameId,
              ssim: r.ssim,
              psnr: r.psnr,
              lpips: null,
              clipI: null,
              clipScore: null,
              targetLpips: null,
              targetClipI: null,
            })),
          },
        }),
      );
    });
    ctx.logger.info({ frames: rows.length, meanSsim: mean('ssim') }, 'frame metrics computed');
  }
}
