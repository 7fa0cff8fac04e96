/**
 * @jest-environment ./test/support/native-typed-arrays-environment.js
 */
import { createDatabase, type PrismaClient as ServiceClient } from '../../database';
import { randomUUID } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { makeEnvelope, Topic } from '@f2f/contracts';
import { LearnedMetrics } from '@f2f/learned-metrics';
import { OutboxWriter } from '@f2f/messaging';
import { FilesystemBlobStore } from '@f2f/storage';
import sharp from 'sharp';

import { createTestDatabase, type TestDatabase } from '../../../../../test/support/database';
import { makeImage } from '../../../../../test/support/factories';
import { inboxContext } from '../../../../../test/support/handler-context';
import { PrismaFrameMetricsRepository } from '../frame-metrics.repository';
import { InProcessFrameWork } from '../frame-work';
import { FrameMeasurer } from '../frame-measurer';
import { LandedFrames } from '../landed-frames';
import { MeasureFramesUseCase } from '../measure-frames.use-case';

const FIXTURE_MODELS = path.resolve(__dirname, '../../../../../libs/learned-metrics/fixtures/tiny-models');
const W = 96;
const H = 72;

let db: TestDatabase<ServiceClient>;
let blobs: FilesystemBlobStore;
let models: LearnedMetrics;

beforeAll(async () => {
  db = await createTestDatabase('metrics', createDatabase);
  blobs = new FilesystemBlobStore(await mkdtemp(path.join(os.tmpdir(), 'f2f-metrics-')));
  models = await LearnedMetrics.load({ modelDir: FIXTURE_MODELS, threads: 1 });
});
afterAll(async () => {
  await models.release();
  await db.drop();
});

/**
 * video.generated of an edit with `count` frames in the blob store; frame 0 is the source itself. No
 * edit or frame rows: metrics learns the frames from the event alone.
 */
async function generated(count: number, withGroundTruth: boolean) {
  const editId = randomUUID();
  const sourceKey = `tenants/default/edits/${editId}/source.png`;
  await blobs.put(sourceKey, await makeImage(W, H));
  const groundTruthKey = withGroundTruth ? `tenants/default/edits/${editId}/ground-truth.png` : null;
  if (groundTruthKey) await blobs.put(groundTruthKey, await makeImage(W * 2, H * 2, 'jpeg'));
  const frames = [];
  for (let index = 0; index < count; index++) {
    const blobKey = `tenants/default/edits/${editId}/frames/${index}.png`;
    const image =
      index === 0
        ? await makeImage(W, H)
        : await sharp(await makeImage(W, H))
            .modulate({ hue: index * 20, brightness: 1 - index * 0.05 })
            .png()
            .toBuffer();
    await blobs.put(blobKey, image);
    const frameId = randomUUID();
    frames.push({ candidate: 0, index, frameId, blobKey });
  }
  return makeEnvelope({
    type: Topic.VideoGenerated,
    editId,
    tenantId: 'default',
    payload: {
      targetCaption: 'A photo of a sitting dog.',
      temporalCaption: 'The dog sits down.',
      sourceKey,
      groundTruthKey,
      model: 'preview',
      generator: 'preview-generator (not a model)',
      width: W,
      height: H,
      candidates: [{ candidate: 0, seed: 1, computeSeconds: 1, worker: 'w', attempts: 1 }],
      frames,
      computeSeconds: 1,
      selection: 'vlm',
    },
  });
}

async function run(learned: LearnedMetrics | null, count: number, withGroundTruth: boolean, batchSize = 3) {
  const event = await generated(count, withGroundTruth);
  const useCase = new MeasureFramesUseCase(
    new OutboxWriter('metrics', 't.'),
    new PrismaFrameMetricsRepository(db.prisma),
    new FrameMeasurer(blobs, learned, { batchSize }, new InProcessFrameWork()),
    new LandedFrames(),
  );
  await useCase.execute(event, inboxContext(db.prisma, 'metrics', event));
  const rows = await db.prisma.frameMetric.findMany({
    where: { editId: event.editId },
    orderBy: { frameIndex: 'asc' },
  });
  const outbox = (await db.prisma.outboxEvent.findMany({ where: { key: event.editId } }))
    .map((o) => o.envelope as { type: string; payload: unknown })
    .filter((e) => e.type === Topic.MetricsComputed);
  return { event, rows, outbox };
}

it('measures every frame in batches: pixel and learned metrics, rows and metrics.computed', async () => {
  const { rows, outbox, event } = await run(models, 7, false);
  expect(rows).toHaveLength(7);
  for (const r of rows) {
    for (const k of ['lpips', 'clipI', 'clipScore'] as const) expect(typeof r[k]).toBe('number');
    expect(r.targetLpips).toBeNull();
    expect(r.targetClipI).toBeNull();
    expect(r.metricModels).toBe(models.modelId);
  }
  // Frame 0 is the source: LPIPS 0, CLIP-I 1; the others differ from it.
  expect(rows[0].lpips).toBeCloseTo(0, 5);
  expect(rows[0].clipI).toBeCloseTo(1, 5);
  expect(rows[6].lpips!).toBeGreaterThan(0.001);
  // The same numbers as the library gives for these images directly.
  const source = await models.reference({ ...(await decode(event.payload.sourceKey)) });
  const text = await models.textEmbedding('A photo of a sitting dog.');
  const direct = await models.measureBatch([await decode(event.payload.frames[6].blobKey)], source, text);
  expect(rows[6].lpips).toBeCloseTo(direct[0].lpips, 6);
  expect(rows[6].clipScore).toBeCloseTo(direct[0].clipScore, 6);

  expect(outbox).toHaveLength(1);
  const payload = outbox[0].payload as {
    metrics: string[];
    mean: Record<string, number>;
    series: { lpips: number }[];
  };
  expect(payload.metrics).toEqual(['ssim', 'psnr', 'lpips', 'clipI', 'clipScore']);
  expect(payload.series.map((s) => s.lpips)).toEqual(rows.map((r) => r.lpips));
  expect(payload.mean.lpips).toBeCloseTo(rows.reduce((s, r) => s + r.lpips!, 0) / 7, 9);
  expect(payload.mean.targetLpips).toBeUndefined();
});

it('with a ground-truth image, also target LPIPS and CLIP-I', async () => {
  const { rows, outbox } = await run(models, 4, true);
  for (const r of rows) {
    expect(typeof r.targetLpips).toBe('number');
    expect(typeof r.targetClipI).toBe('number');
  }
  const payload = outbox[0].payload as { metrics: string[]; mean: Record<string, number> };
  expect(payload.metrics).toEqual([
    'ssim',
    'psnr',
    'lpips',
    'clipI',
    'clipScore',
    'targetLpips',
    'targetClipI',
  ]);
  expect(typeof payload.mean.targetClipI).toBe('number');
});

it('with the int8 CLIP image tower: its scores under their own model id, LPIPS and pixel metrics unchanged', async () => {
  const int8 = await LearnedMetrics.load({
    modelDir: FIXTURE_MODELS,
    threads: 1,
    clipImagePrecision: 'int8',
  });
  try {
    const a = await run(models, 4, false);
    const b = await run(int8, 4, false);
    expect(new Set(b.rows.map((r) => r.metricModels))).toEqual(
      new Set([`${models.modelId}+clip-image-int8`]),
    );
    b.rows.forEach((r, i) => {
      const f = a.rows[i];
      expect([r.ssim, r.psnr, r.lpips]).toEqual([f.ssim, f.psnr, f.lpips]);
      expect(Math.abs(r.clipCosine! - f.clipCosine!)).toBeLessThan(0.01);
      // CLIPScore: 2.5 × the cosine, clipped at 0.
      expect(r.clipScore).toBeCloseTo(2.5 * Math.max(r.clipCosine!, 0), 9);
    });
    expect(b.rows.some((r, i) => r.clipScore !== a.rows[i].clipScore)).toBe(true);
  } finally {
    await int8.release();
  }
});

it('without models: SSIM and PSNR only, learned metrics null and not listed', async () => {
  const { rows, outbox } = await run(null, 3, true);
  expect(rows.every((r) => r.lpips === null && r.clipScore === null && r.metricModels === null)).toBe(true);
  const payload = outbox[0].payload as { metrics: string[]; mean: Record<string, number> };
  expect(payload.metrics).toEqual(['ssim', 'psnr']);
  expect(Object.keys(payload.mean).sort()).toEqual(['psnr', 'ssim']);
});

async function decode(key: string) {
  const { data, info } = await sharp(await blobs.get(key))
    .ensureAlpha()
    .resize(W, H, { fit: 'fill' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, channels: 4 };
}
