import { randomUUID } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { makeEnvelope, Topic } from '@f2f/contracts';
import { type BlobStore, FilesystemBlobStore } from '@f2f/storage';
import sharp from 'sharp';

import { makeImage } from '../../../../../test/support/factories';
import { fakeHandlerContext, RecordingOutbox } from '../../../../../test/support/fake-handler-context';
import { InMemoryFrameMetrics } from '../../testing/in-memory-frame-metrics';
import { InProcessFrameWork } from '../frame-work';
import { MeasureFramesUseCase } from '../measure-frames.use-case';

const W = 48;
const H = 32;

/** Frames stored lossy (WebP) keep a lossless copy that the event names (FRAME_FORMAT webp). */
async function setup(batchSize = 2, lossy = false) {
  const blobs: BlobStore = new FilesystemBlobStore(await mkdtemp(path.join(os.tmpdir(), 'f2f-measure-')));
  const repository = new InMemoryFrameMetrics();
  const outbox = new RecordingOutbox();
  const useCase = new MeasureFramesUseCase(
    outbox,
    repository,
    blobs,
    null,
    { batchSize },
    new InProcessFrameWork(),
  );
  const editId = randomUUID();
  const sourceKey = `s/${editId}.png`;
  await blobs.put(sourceKey, await makeImage(W, H), 'image/png');
  // Candidate 1 before candidate 0, indices out of order: the series comes out sorted.
  const frames = [];
  for (const [candidate, index] of [
    [1, 1],
    [0, 2],
    [1, 0],
    [0, 0],
    [0, 1],
  ]) {
    const blobKey = `f/${editId}/${candidate}/${index}.png`;
    const image =
      candidate === 0 && index === 0
        ? await makeImage(W, H)
        : await sharp(await makeImage(W, H))
            .modulate({ hue: 30 + index * 40 + candidate * 90 })
            .png()
            .toBuffer();
    if (!lossy) {
      await blobs.put(blobKey, image, 'image/png');
      frames.push({ candidate, index, frameId: randomUUID(), blobKey });
      continue;
    }
    const losslessBlobKey = `f/${editId}/${candidate}/lossless-${index}.png`;
    await blobs.put(blobKey, await sharp(image).webp({ quality: 50 }).toBuffer(), 'image/webp');
    await blobs.put(losslessBlobKey, image, 'image/png');
    frames.push({ candidate, index, frameId: randomUUID(), blobKey, losslessBlobKey });
  }
  const event = makeEnvelope({
    type: Topic.VideoGenerated,
    editId,
    tenantId: 'tenant-a',
    payload: {
      targetCaption: 'A dog.',
      temporalCaption: 'The dog sits.',
      sourceKey,
      groundTruthKey: null,
      model: 'preview',
      generator: 'g',
      width: W,
      height: H,
      candidates: [0, 1].map((candidate) => ({
        candidate,
        seed: candidate,
        computeSeconds: 1,
        worker: 'w',
        attempts: 1,
      })),
      frames,
      computeSeconds: 2,
      selection: 'metric',
    },
  });
  return { repository, outbox, useCase, event, frames, ctx: fakeHandlerContext() };
}

describe('MeasureFramesUseCase (without learned metrics)', () => {
  it('stores one row per announced frame and announces the series in candidate and index order with the means', async () => {
    const t = await setup();
    await t.useCase.execute(t.event, t.ctx.for(t.event));

    const rows = await t.repository.forEdit('tenant-a' as never, t.event.editId);
    expect(rows).toHaveLength(5);
    for (const frame of t.frames) {
      expect(t.repository.rows.get(frame.frameId)).toMatchObject({
        editId: t.event.editId,
        tenantId: 'tenant-a',
        frameIndex: frame.index,
        lpips: null,
        metricModels: null,
      });
    }
    const [computed] = t.outbox.of(Topic.MetricsComputed);
    const { series, mean, metrics, selection, frameCount } = computed.payload;
    expect(series.map((s) => [s.candidate, s.index])).toEqual([
      [0, 0],
      [0, 1],
      [0, 2],
      [1, 0],
      [1, 1],
    ]);
    expect([metrics, selection, frameCount]).toEqual([['ssim', 'psnr'], 'metric', 5]);
    // Frame (0, 0) is the source: identical.
    expect(series[0].ssim).toBeCloseTo(1, 6);
    expect(series[0].psnr).toBe(100);
    expect(series[1].ssim).toBeLessThan(0.999);
    expect(mean.ssim).toBeCloseTo(series.reduce((s, r) => s + r.ssim, 0) / 5, 9);
    expect(Object.keys(mean).sort()).toEqual(['psnr', 'ssim']);
    expect(series.map((s) => s.ssim)).toEqual(series.map((s) => t.repository.rows.get(s.frameId)!.ssim));
    // Batches of two: three batches, a heartbeat after each.
    expect(t.ctx.heartbeats).toBe(3);
  });

  it('scores the lossless copy of a frame stored lossy, not the stored frame', async () => {
    const t = await setup(2, true);
    await t.useCase.execute(t.event, t.ctx.for(t.event));

    const [computed] = t.outbox.of(Topic.MetricsComputed);
    // Frame (0, 0) is the source: its lossless copy is identical to it; its WebP would not be.
    expect(computed.payload.series[0].ssim).toBeCloseTo(1, 6);
    expect(computed.payload.series[0].psnr).toBe(100);
  });

  it('measures a redelivered event once', async () => {
    const t = await setup();
    await t.useCase.execute(t.event, t.ctx.for(t.event));
    await t.useCase.execute(t.event, t.ctx.for(t.event));
    expect(t.outbox.of(Topic.MetricsComputed)).toHaveLength(1);
    expect(t.repository.rows.size).toBe(5);
  });
});
