import { createHash } from 'node:crypto';

import { createLogger, DomainError, ErrorCode } from '@f2f/common';
import { videoGeneratorClient, type VideoGeneratorClient } from '@f2f/video-proto';

import { makeImage } from '../support/factories';
import { previewConfigSchema } from '../../services/preview-generator/src/config';
import { type RunningServer, startPreviewServer } from '../../services/preview-generator/src/server';
import { StaticEndpoints } from '../../services/video-generation/src/generation/endpoints';
import {
  type GenerationEvent,
  type GenerationRequest,
  GenerationCancelled,
  WorkerPool,
} from '../../services/video-generation/src/generation/worker-pool';

jest.setTimeout(60_000);

const logger = createLogger('test', 'silent');
const servers: RunningServer[] = [];

async function worker(stepDelayMs = 5): Promise<{ server: RunningServer; address: string }> {
  const config = previewConfigSchema.parse({
    PORT: '0',
    HOST: '127.0.0.1',
    STEP_DELAY_MS: String(stepDelayMs),
    MAX_CONCURRENT: '1',
  });
  const server = await startPreviewServer(config, logger);
  servers.push(server);
  return { server, address: `127.0.0.1:${server.port}` };
}

let image: Buffer;
beforeAll(async () => {
  image = await makeImage(96, 64);
});
afterAll(async () => {
  for (const s of servers) s.server.forceShutdown();
});

const request = (overrides: Partial<GenerationRequest> = {}): GenerationRequest => ({
  requestId: 'test',
  image,
  prompt: 'a dog sits down',
  numFrames: 5,
  steps: 10,
  guidance: 6,
  fps: 8,
  seed: 7,
  width: 128,
  height: 96,
  model: '',
  ...overrides,
});

const deadline = () => new Date(Date.now() + 30_000);

async function collect(
  pool: WorkerPool,
  req: GenerationRequest,
  options: { signal?: AbortSignal; onEvent?: (e: GenerationEvent) => void } = {},
) {
  const events: GenerationEvent[] = [];
  for await (const event of pool.generate(req, { deadline: deadline(), signal: options.signal })) {
    events.push(event);
    options.onEvent?.(event);
  }
  const frames = events.filter((e): e is Extract<GenerationEvent, { kind: 'frame' }> => e.kind === 'frame');
  return { events, frames, digests: frames.map((f) => createHash('sha256').update(f.png).digest('hex')) };
}

describe('WorkerPool over real gRPC workers', () => {
  it('spreads a backlog across free workers, one generation per worker at a time', async () => {
    const [a, b] = [await worker(20), await worker(20)];
    const pool = new WorkerPool(new StaticEndpoints([a.address, b.address]), {
      maxWorkerFailures: 2,
      coolDownMs: 100,
      busyRetryMs: 20,
    });
    const results = await Promise.all([1, 2, 3, 4].map((seed) => collect(pool, request({ seed }))));
    for (const r of results) expect(r.frames.map((f) => f.index)).toEqual([0, 1, 2, 3, 4]);
    const stats = pool.workerStats();
    expect(stats.get(a.address)).toMatchObject({ calls: 2, failures: 0 });
    expect(stats.get(b.address)).toMatchObject({ calls: 2, failures: 0 });
    pool.close();
  });

  it('goes to another worker when one is busy with someone else job (RESOURCE_EXHAUSTED)', async () => {
    const [a, b] = [await worker(50), await worker(5)];
    // Another replica's long job occupies worker a.
    const other = videoGeneratorClient(a.address) as unknown as VideoGeneratorClient;
    const blocking = other.Generate({ ...request(), numInferenceSteps: 40, numFrames: 5, guidanceScale: 6 });
    blocking.on('data', () => undefined);
    const blockingDone = new Promise((resolve) => blocking.on('close', resolve).on('error', resolve));
    await new Promise((resolve) => blocking.once('data', resolve));

    const pool = new WorkerPool(new StaticEndpoints([a.address, b.address]), {
      maxWorkerFailures: 2,
      coolDownMs: 5_000,
      busyRetryMs: 20,
    });
    const { events } = await collect(pool, request());
    const summary = events.find((e) => e.kind === 'summary') as Extract<GenerationEvent, { kind: 'summary' }>;
    expect(summary.worker).toBe(b.address);
    await blockingDone;
    other.close();
    pool.close();
  });

  it('re-runs a generation on another worker with the same seed when its worker dies mid-stream', async () => {
    const reference = await worker(5);
    const refPool = new WorkerPool(new StaticEndpoints([reference.address]));
    const expected = await collect(refPool, request({ seed: 99 }));
    refPool.close();

    const [a, b] = [await worker(30), await worker(5)];
    const pool = new WorkerPool(new StaticEndpoints([a.address, b.address]), {
      maxWorkerFailures: 3,
      coolDownMs: 5_000,
      busyRetryMs: 20,
    });
    let killed = false;
    const got = await collect(pool, request({ seed: 99 }), {
      onEvent: (e) => {
        if (e.kind === 'progress' && !killed) {
          killed = true;
          const started = [...pool.workerStats().keys()][0];
          (started === a.address ? a : b).server.server.forceShutdown();
        }
      },
    });
    const starts = got.events.filter((e) => e.kind === 'started') as Extract<
      GenerationEvent,
      { kind: 'started' }
    >[];
    expect(starts.map((s) => s.attempt)).toEqual([1, 2]);
    expect(starts[0].worker).not.toBe(starts[1].worker);
    // The second attempt's frames are the video the first worker would have made: same seed, same path.
    const secondAttemptFrames = got.digests.slice(-5);
    expect(secondAttemptFrames).toEqual(expected.digests);
    pool.close();
  });

  it('fails the generation as unavailable once every worker has failed it', async () => {
    const pool = new WorkerPool(new StaticEndpoints(['127.0.0.1:1', '127.0.0.1:2']), {
      maxWorkerFailures: 2,
      coolDownMs: 10,
      busyRetryMs: 10,
    });
    const error = await collect(pool, request()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe(ErrorCode.Unavailable);
    expect((error as DomainError).message).toMatch(/after 2 workers failed/);
    pool.close();
  });

  it('refuses bad arguments without trying other workers', async () => {
    const [a, b] = [await worker(), await worker()];
    const pool = new WorkerPool(new StaticEndpoints([a.address, b.address]));
    const error = await collect(pool, request({ width: 130 })).catch((e: unknown) => e);
    expect((error as DomainError).code).toBe(ErrorCode.InvalidInput);
    const calls = [...pool.workerStats().values()].reduce((s, w) => s + w.calls, 0);
    expect(calls).toBe(1);
    pool.close();
  });

  it('cancels the call when the signal aborts, and the worker takes the next job at once', async () => {
    const a = await worker(50);
    const pool = new WorkerPool(new StaticEndpoints([a.address]), {
      maxWorkerFailures: 1,
      coolDownMs: 10,
      busyRetryMs: 10,
    });
    const controller = new AbortController();
    const error = await collect(pool, request({ steps: 200 }), {
      signal: controller.signal,
      onEvent: (e) => e.kind === 'progress' && controller.abort(),
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GenerationCancelled);
    const t0 = Date.now();
    const next = await collect(pool, request({ steps: 2 }));
    expect(next.frames).toHaveLength(5);
    expect(Date.now() - t0).toBeLessThan(3_000);
    pool.close();
  });

  it('gives up waiting for a free worker at the deadline', async () => {
    const a = await worker(100);
    const pool = new WorkerPool(new StaticEndpoints([a.address]), {
      maxWorkerFailures: 1,
      coolDownMs: 10,
      busyRetryMs: 10,
    });
    const first = collect(pool, request({ steps: 30 }));
    const it = pool.generate(request(), { deadline: new Date(Date.now() + 300) })[Symbol.asyncIterator]();
    const error = await it.next().catch((e: unknown) => e);
    expect((error as DomainError).message).toMatch(/no worker became free before the deadline/);
    await first;
    pool.close();
  });
});
