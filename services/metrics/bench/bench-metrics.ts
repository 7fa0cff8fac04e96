/**
 * Cost of measuring one edit with the production code (MeasureFramesUseCase: decode, SSIM, PSNR,
 * LPIPS, CLIP-I, CLIP score, target LPIPS and CLIP-I) on full-size networks (LPIPS-Alex, CLIP
 * ViT-B/32) with random weights, which cost the same as trained ones. The models are exported by
 * tools/metric-models/make-full.sh into .cache/metric-models/full-random (reused when present).
 *
 *   npm run bench:metrics -w @f2f/metrics            (after npm run build)
 *   env: BENCH_MODELS_DIR, BENCH_THREADS (2), BENCH_BATCH (7), BENCH_RUNS (3), BENCH_SIZE (512),
 *   BENCH_SPIN (1: ONNX Runtime's threads spin between runs, its default), BENCH_FRAME_THREADS (2; 0: in process),
 *   BENCH_CLIP_IMAGE (fp32 | int8: the CLIP image tower, as METRIC_CLIP_IMAGE_PRECISION)
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';

import { createLogger } from '@f2f/common';
import type { EventEnvelope, Topic } from '@f2f/contracts';
import { makeEnvelope, Topic as T } from '@f2f/contracts';
import { LearnedMetrics } from '@f2f/learned-metrics';
import type { HandlerContext, OutboxWriter } from '@f2f/messaging';
import type { BlobStore } from '@f2f/storage';
import sharp from 'sharp';

import { InProcessFrameWork, ThreadedFrameWork } from '../src/measurement/frame-work';
import { FrameMeasurer } from '../src/measurement/frame-measurer';
import { LandedFrames } from '../src/measurement/landed-frames';
import { MeasureFramesUseCase } from '../src/measurement/measure-frames.use-case';

// Run from dist/benchmarks/bench/.
const ROOT = path.resolve(__dirname, '../../../../..');
const env = (k: string, d: number) => Number(process.env[k] ?? d);

async function image(size: number, i: number): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}">
    <defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1">
      <stop offset="0" stop-color="hsl(${i * 7},70%,45%)"/><stop offset="1" stop-color="#f2cc60"/></linearGradient></defs>
    <rect width="100%" height="100%" fill="url(#g)"/>
    <circle cx="${size * (0.3 + i / 200)}" cy="${size * 0.55}" r="${size * 0.2}" fill="#8b3a2b"/></svg>`;
  // Noise like a real photo's texture, so that PNG decoding costs what it would.
  const noise = await sharp({
    create: {
      width: size,
      height: size,
      channels: 3,
      background: '#808080',
      noise: { type: 'gaussian', mean: 128, sigma: 20 },
    },
  })
    .png()
    .toBuffer();
  return sharp(Buffer.from(svg))
    .composite([{ input: noise, blend: 'overlay' }])
    .png()
    .toBuffer();
}

async function main(): Promise<void> {
  const modelDir =
    process.env.BENCH_MODELS_DIR ??
    execFileSync(path.join(ROOT, 'tools/metric-models/make-full.sh'), {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    })
      .trim()
      .split('\n')
      .pop()!;
  const threads = env('BENCH_THREADS', 2);
  const batchSize = env('BENCH_BATCH', 7);
  const runs = env('BENCH_RUNS', 3);
  const size = env('BENCH_SIZE', 512);

  const blobs = new Map<string, Buffer>();
  blobs.set('source.png', await image(size, 0));
  blobs.set('ground-truth.png', await image(size, 60));
  const frames = [];
  for (let index = 0; index < 49; index++) {
    blobs.set(`f${index}.png`, await image(size, index));
    frames.push({ candidate: 0, index, frameId: crypto.randomUUID(), blobKey: `f${index}.png` });
  }
  const store = { get: async (k: string) => blobs.get(k)! } as unknown as BlobStore;
  const outbox = { enqueue: async () => undefined } as unknown as OutboxWriter;
  const rows = {
    saveAll: async () => undefined,
    forEdit: async () => [],
    forFrame: async () => null,
    forFrames: async () => [],
  };
  const ctx: HandlerContext<never> = {
    logger: createLogger('bench', 'silent'),
    attempt: 1,
    heartbeat: async () => undefined,
    alreadyHandled: async () => false,
    transaction: (work) => work(undefined as never),
  };

  const t0 = performance.now();
  const allowSpinning = process.env.BENCH_SPIN === '1';
  const clipImagePrecision = process.env.BENCH_CLIP_IMAGE === 'int8' ? 'int8' : 'fp32';
  const models = await LearnedMetrics.load({ modelDir, threads, allowSpinning, clipImagePrecision });
  const loadS = (performance.now() - t0) / 1000;
  const frameThreads = env('BENCH_FRAME_THREADS', 2);
  const frameWork = frameThreads > 0 ? new ThreadedFrameWork(frameThreads) : new InProcessFrameWork();
  const useCase = new MeasureFramesUseCase(
    outbox,
    rows,
    new FrameMeasurer(store, models, { batchSize }, frameWork),
    new LandedFrames(),
  );
  const event = makeEnvelope({
    type: T.VideoGenerated,
    editId: crypto.randomUUID(),
    tenantId: 'default',
    payload: {
      targetCaption: 'A photo of a sitting dog.',
      temporalCaption: 'The dog sits down.',
      sourceKey: 'source.png',
      groundTruthKey: 'ground-truth.png',
      model: 'bench',
      generator: 'bench',
      width: size,
      height: size,
      candidates: [{ candidate: 0, seed: 0, computeSeconds: 0, worker: 'w', attempts: 1 }],
      frames,
      computeSeconds: 0,
      selection: 'vlm',
    },
  }) as EventEnvelope<Topic.VideoGenerated>;

  await useCase.execute(event, ctx); // warm-up (first runs allocate ONNX Runtime's arenas)
  const results: number[] = [];
  let perNetwork: Record<string, number> = {};
  for (let r = 0; r < runs; r++) {
    for (const k of Object.keys(models.timings)) models.timings[k as keyof typeof models.timings] = 0;
    const s = performance.now();
    await useCase.execute(event, ctx);
    results.push((performance.now() - s) / 1000);
    perNetwork = Object.fromEntries(
      Object.entries(models.timings).map(([k, v]) => [k, +(v / 1000).toFixed(3)]),
    );
  }
  const best = Math.min(...results);
  const median = [...results].sort((a, b) => a - b)[Math.floor(results.length / 2)];
  const learnedS = Object.values(perNetwork).reduce((a, b) => a + b, 0);
  console.log(
    JSON.stringify(
      {
        modelId: models.modelId,
        clipImagePrecision,
        lpipsSize: models.lpipsSize,
        frameSize: `${size}x${size}`,
        frames: 49,
        groundTruth: true,
        threads,
        allowSpinning,
        frameThreads,
        batchSize,
        loadSeconds: +loadS.toFixed(2),
        secondsPerEdit: {
          median: +median.toFixed(3),
          best: +best.toFixed(3),
          runs: results.map((x) => +x.toFixed(3)),
        },
        secondsPerFrame: +(median / 49).toFixed(4),
        secondsPerNetworkLastRun: perNetwork,
        frameWorkSecondsLastRun: +(results[results.length - 1] - learnedS).toFixed(3),
        peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
      },
      null,
      2,
    ),
  );
  await models.release();
  await frameWork.close();
}

void main().catch((err) => {
  console.error(err);
  process.exit(1);
});
