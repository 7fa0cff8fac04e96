/**
 * Throughput of the GPU pool client under a backlog of edits, with a simulated pool: preview
 * generators (NOT models) as separate processes, each serving one generation at a time with a
 * fixed per-step delay standing in for GPU time.
 *
 *   npm run bench:pool -w @f2f/video-generation [-- --workers 1,2,4 --jobs-per-worker 4 --steps 50 --step-ms 100 --frames 5]
 *
 * Prints, per pool size: jobs, wall time, throughput, speed-up over one worker, and the fraction
 * of the wall time the workers spent generating (busy).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { parseArgs } from 'node:util';

import sharp from 'sharp';

import { StaticEndpoints } from '../src/generation/endpoints';
import { type GenerationRequest, WorkerPool } from '../src/generation/worker-pool';

const { values } = parseArgs({
  options: {
    workers: { type: 'string', default: '1,2,4' },
    'jobs-per-worker': { type: 'string', default: '4' },
    steps: { type: 'string', default: '50' },
    'step-ms': { type: 'string', default: '100' },
    frames: { type: 'string', default: '5' },
  },
});
const sizes = values.workers.split(',').map(Number);
const jobsPerWorker = Number(values['jobs-per-worker']);
const steps = Number(values.steps);
const stepMs = Number(values['step-ms']);
const frames = Number(values.frames);

const previewMain = path.resolve(__dirname, '../../../../preview-generator/dist/main.js');

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function startWorker(): Promise<{ address: string; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn(process.execPath, [previewMain], {
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      STEP_DELAY_MS: String(stepMs),
      MAX_CONCURRENT: '1',
      LOG_LEVEL: 'warn',
    },
    stdio: 'ignore',
  });
  for (let i = 0; i < 100; i++) {
    const up = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => {
        socket.destroy();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (up) return { address: `127.0.0.1:${port}`, child };
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('preview generator did not start');
}

async function run(workers: number, image: Buffer): Promise<{ jobs: number; seconds: number; busy: number }> {
  const started = await Promise.all(Array.from({ length: workers }, () => startWorker()));
  const pool = new WorkerPool(new StaticEndpoints(started.map((w) => w.address)), {
    maxWorkerFailures: 3,
    coolDownMs: 1000,
    busyRetryMs: 50,
  });
  try {
    const jobs = workers * jobsPerWorker;
    const t0 = Date.now();
    await Promise.all(
      Array.from({ length: jobs }, async (_, i) => {
        const request: GenerationRequest = {
          requestId: `bench-${i}`,
          image,
          prompt: `benchmark edit ${i}`,
          numFrames: frames,
          steps,
          guidance: 6,
          fps: 8,
          seed: i,
          width: 720,
          height: 480,
          model: '',
        };
        let got = 0;
        for await (const event of pool.generate(request, { deadline: new Date(Date.now() + 600_000) })) {
          if (event.kind === 'frame') got++;
        }
        if (got !== frames) throw new Error(`job ${i}: ${got} frames`);
      }),
    );
    const seconds = (Date.now() - t0) / 1000;
    const busyMs = [...pool.workerStats().values()].reduce((s, w) => s + w.busyMs, 0);
    return { jobs, seconds, busy: busyMs / (workers * seconds * 1000) };
  } finally {
    pool.close();
    for (const w of started) w.child.kill('SIGKILL');
  }
}

async function main(): Promise<void> {
  const image = await sharp({ create: { width: 480, height: 480, channels: 3, background: '#3a7bd5' } })
    .png()
    .toBuffer();
  console.log(
    `pool throughput: ${jobsPerWorker} jobs per worker, ${steps} steps × ${stepMs} ms, ${frames} frames at 720×480 (preview generators, not models)`,
  );
  console.log('| workers | jobs | wall s | jobs/s | speed-up | busy |');
  console.log('| ---: | ---: | ---: | ---: | ---: | ---: |');
  let base: number | undefined;
  for (const workers of sizes) {
    const r = await run(workers, image);
    const throughput = r.jobs / r.seconds;
    base ??= throughput / workers;
    console.log(
      `| ${workers} | ${r.jobs} | ${r.seconds.toFixed(2)} | ${throughput.toFixed(3)} | ${(throughput / base).toFixed(2)}× | ${r.busy.toFixed(3)} |`,
    );
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
