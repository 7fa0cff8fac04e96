import { createHash, randomUUID } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { type FrameRef, generationOptionsSchema, makeEnvelope, Topic } from '@f2f/contracts';
import { type BlobStore, FilesystemBlobStore } from '@f2f/storage';
import sharp from 'sharp';

import { makeImage } from '../../../../../test/support/factories';
import { fakeHandlerContext, RecordingOutbox } from '../../../../../test/support/fake-handler-context';
import { InMemoryFrameMetrics } from '../../testing/in-memory-frame-metrics';
import { InProcessFrameWork } from '../frame-work';
import { FrameMeasurer } from '../frame-measurer';
import { LandedFrames } from '../landed-frames';
import { MeasureFramesUseCase } from '../measure-frames.use-case';
import { FRESH_FOR_MS, MeasureLandedFramesUseCase } from '../measure-landed-frames.use-case';

const W = 48;
const H = 32;

/** The frame's size and content hash, as video-generation announces them. */
const described = (image: Buffer) => ({
  width: W,
  height: H,
  sha256: createHash('sha256').update(image).digest('hex'),
});

/** Frame work in this thread that counts the frames it measured. */
class CountingFrameWork extends InProcessFrameWork {
  frames = 0;
  override run(task: Parameters<InProcessFrameWork['run']>[0]) {
    this.frames++;
    return super.run(task);
  }
}

/** Frames stored lossy (WebP) keep a lossless copy that the event names (FRAME_FORMAT webp). */
async function setup(batchSize = 2, lossy = false) {
  const blobs: BlobStore = new FilesystemBlobStore(await mkdtemp(path.join(os.tmpdir(), 'f2f-measure-')));
  const repository = new InMemoryFrameMetrics();
  const outbox = new RecordingOutbox();
  const frameWork = new CountingFrameWork();
  const measurer = new FrameMeasurer(blobs, null, { batchSize }, frameWork);
  const landed = new LandedFrames();
  const useCase = new MeasureFramesUseCase(outbox, repository, measurer, landed);
  const landedUseCase = new MeasureLandedFramesUseCase(measurer, landed);
  const editId = randomUUID();
  const sourceKey = `s/${editId}.png`;
  await blobs.put(sourceKey, await makeImage(W, H), 'image/png');
  // Candidate 1 before candidate 0, indices out of order: the series comes out sorted.
  const frames: FrameRef[] = [];
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
      frames.push({ candidate, index, frameId: randomUUID(), blobKey, ...described(image) });
      continue;
    }
    const losslessBlobKey = `f/${editId}/${candidate}/lossless-${index}.png`;
    await blobs.put(blobKey, await sharp(image).webp({ quality: 50 }).toBuffer(), 'image/webp');
    await blobs.put(losslessBlobKey, image, 'image/png');
    frames.push({ candidate, index, frameId: randomUUID(), blobKey, losslessBlobKey, ...described(image) });
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
  const caption = makeEnvelope({
    type: Topic.CaptionCompleted,
    editId,
    tenantId: 'tenant-a',
    payload: {
      temporalCaption: 'The dog sits.',
      provenance: 'template',
      targetCaption: 'A dog.',
      sourceKey,
      sourceWidth: W,
      sourceHeight: H,
      groundTruthKey: null,
      options: generationOptionsSchema.parse({ seed: 1 }),
    },
  });
  const progress = (landedFrames: typeof frames) =>
    makeEnvelope({
      type: Topic.VideoProgress,
      editId,
      tenantId: 'tenant-a',
      payload: {
        candidate: 0,
        worker: 'w',
        phase: 'frames',
        step: 50,
        totalSteps: 50,
        framesReady: landedFrames.length,
        totalFrames: 3,
        frames: landedFrames,
      },
    });
  return {
    repository,
    outbox,
    useCase,
    landedUseCase,
    landed,
    frameWork,
    event,
    caption,
    progress,
    frames,
    ctx: fakeHandlerContext(),
  };
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

describe('frames measured as they land (video.progress), before video.generated', () => {
  const seriesOf = (t: Awaited<ReturnType<typeof setup>>) =>
    t.outbox.of(Topic.MetricsComputed)[0].payload.series;

  it('measures the landed frames early and only the rest after video.generated: the same series and rows as measuring all at once', async () => {
    const all = await setup();
    await all.useCase.execute(all.event, all.ctx.for(all.event));

    const t = await setup();
    t.landedUseCase.remember(t.caption);
    const [first, second] = [t.frames.slice(0, 2), t.frames.slice(2, 4)];
    await t.landedUseCase.execute(t.progress(first), t.ctx.for(t.progress(first)));
    await t.landedUseCase.execute(t.progress(second), t.ctx.for(t.progress(second)));
    expect(t.frameWork.frames).toBe(4);
    expect(t.repository.rows.size).toBe(0); // nothing written before video.generated
    await t.useCase.execute(t.event, t.ctx.for(t.event));

    expect(t.frameWork.frames).toBe(5); // the fifth frame, not the four measured already
    const strip = (s: ReturnType<typeof seriesOf>) => s.map(({ frameId: _id, ...m }) => m);
    expect(strip(seriesOf(t))).toEqual(strip(seriesOf(all)));
    expect(t.repository.rows.size).toBe(5);
    expect(seriesOf(t).map((m) => t.repository.rows.get(m.frameId)!.ssim)).toEqual(
      seriesOf(t).map((m) => m.ssim),
    );
    expect(t.landed.size).toBe(0); // taken once, then forgotten
  });

  it('measures a frame again when its content changed since it landed (a retried generation stored it anew)', async () => {
    const t = await setup();
    t.landedUseCase.remember(t.caption);
    const stale = [{ ...t.frames[0], sha256: 'f'.repeat(64) }, t.frames[1]];
    await t.landedUseCase.execute(t.progress(stale), t.ctx.for(t.progress(stale)));
    await t.useCase.execute(t.event, t.ctx.for(t.event));

    expect(t.frameWork.frames).toBe(2 + 4); // two early, then the four others incl. the changed one
    expect(seriesOf(t)).toHaveLength(5);
  });

  it('measures nothing early without caption.completed (another replica, a restart) or from an old one (a replay)', async () => {
    const t = await setup();
    await t.landedUseCase.execute(t.progress(t.frames), t.ctx.for(t.progress(t.frames)));
    t.landedUseCase.remember(t.caption, Date.parse(t.caption.occurredAt) + FRESH_FOR_MS + 1);
    await t.landedUseCase.execute(t.progress(t.frames), t.ctx.for(t.progress(t.frames)));
    expect(t.frameWork.frames).toBe(0);

    await t.useCase.execute(t.event, t.ctx.for(t.event));
    expect(t.frameWork.frames).toBe(5);
    expect(seriesOf(t)).toHaveLength(5);
  });

  it('logs and leaves the frames to video.generated when landed frames cannot be read yet', async () => {
    const t = await setup();
    t.landedUseCase.remember(t.caption);
    const missing = [{ ...t.frames[0], blobKey: 'f/missing.png', losslessBlobKey: undefined }];
    const ctx = t.ctx.for(t.progress(missing));
    await expect(t.landedUseCase.execute(t.progress(missing), ctx)).resolves.toBeUndefined();

    await t.useCase.execute(t.event, t.ctx.for(t.event));
    expect(seriesOf(t)).toHaveLength(5);
  });

  it('forgets the edits seen longest ago beyond its capacity', () => {
    const landed = new LandedFrames(2);
    const refs = { sourceKey: 's', groundTruthKey: null, targetCaption: 'c' };
    for (const id of ['e1', 'e2', 'e3']) landed.plan('t', id, refs);
    expect([landed.referencesOf('t', 'e1'), landed.referencesOf('t', 'e3')]).toEqual([null, refs]);
    expect(landed.referencesOf('other-tenant', 'e3')).toBeNull();
    expect(landed.size).toBe(2);
  });
});
