import { EventEmitter } from 'node:events';

import { DomainError, ErrorCode, sleep } from '@f2f/common';
import {
  context,
  injectTraceContext,
  metrics,
  onScrape,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
  tracer,
} from '@f2f/telemetry';
import {
  type GenerateResponse__Output,
  videoGeneratorClient,
  type VideoGeneratorClient,
} from '@f2f/video-proto';
import * as grpc from '@grpc/grpc-js';

import type { WorkerEndpoints } from './endpoints';

export interface GenerationRequest {
  requestId: string;
  image: Buffer;
  prompt: string;
  numFrames: number;
  steps: number;
  guidance: number;
  fps: number;
  seed: number;
  width: number;
  height: number;
  model: string;
}

export type GenerationEvent =
  | { kind: 'started'; worker: string; attempt: number }
  | { kind: 'progress'; step: number; totalSteps: number }
  | { kind: 'frame'; index: number; png: Buffer; width: number; height: number }
  | {
      kind: 'summary';
      seed: number;
      modelId: string;
      generator: string;
      isModel: boolean;
      computeSeconds: number;
      worker: string;
      attempts: number;
    };

/** The edit was cancelled while its video was being generated. */
export class GenerationCancelled extends Error {
  constructor() {
    super('generation cancelled');
    this.name = 'GenerationCancelled';
  }
}

export interface GenerateOptions {
  deadline: Date;
  signal?: AbortSignal;
}

export const VIDEO_GENERATOR = Symbol('VideoGenerator');

/** The GPU pool as the use case sees it. */
export interface VideoGenerator {
  generate(request: GenerationRequest, options: GenerateOptions): AsyncIterable<GenerationEvent>;
}

export interface WorkerPoolOptions {
  /** Workers that may fail one generation (die mid-stream, refuse) before the generation fails. */
  maxWorkerFailures: number;
  /** How long a worker that failed is left alone. */
  coolDownMs: number;
  /** How long to wait before asking again when every worker is busy. */
  busyRetryMs: number;
}

export const DEFAULT_POOL_OPTIONS: WorkerPoolOptions = {
  maxWorkerFailures: 3,
  coolDownMs: 2_000,
  busyRetryMs: 250,
};

/** Per-worker time spent generating, for the benchmark and metrics. */
export interface WorkerStats {
  calls: number;
  failures: number;
  busyMs: number;
}

/**
 * A pool of VideoGenerator workers (one generation at a time each). A generation goes to a free
 * worker (none of this process's calls in flight, not cooling down after a failure); a worker that
 * answers RESOURCE_EXHAUSTED (busy with another replica's job) or UNAVAILABLE is skipped for a
 * while, and a worker that dies mid-stream has the whole generation re-run on another worker with
 * the same seed, so the result is the same video. Each call carries the deadline; aborting the
 * signal cancels the call, which stops the worker's denoising loop.
 */
export class WorkerPool implements VideoGenerator {
  private readonly clients = new Map<string, VideoGeneratorClient>();
  private readonly inFlight = new Map<string, number>();
  private readonly coolingUntil = new Map<string, number>();
  private readonly released = new EventEmitter();
  private readonly stats = new Map<string, WorkerStats>();
  private rotation = 0;
  /** Generations waiting in acquire() for a free worker. */
  private queued = 0;
  private readonly stopScraping: () => void;

  constructor(
    private readonly endpoints: WorkerEndpoints,
    private readonly options: WorkerPoolOptions = DEFAULT_POOL_OPTIONS,
  ) {
    this.released.setMaxListeners(0);
    this.stopScraping = onScrape(() => this.recordPoolMetrics());
  }

  /** f2f_gpu_pool_*: workers, slots busy of the capacity (one generation per worker), queued. */
  private async recordPoolMetrics(): Promise<void> {
    const workers = await this.endpoints.list();
    const now = Date.now();
    const cooling = workers.filter((w) => (this.coolingUntil.get(w) ?? 0) > now).length;
    metrics.gpuPoolWorkers.set({ state: 'healthy' }, workers.length - cooling);
    metrics.gpuPoolWorkers.set({ state: 'unhealthy' }, cooling);
    metrics.gpuPoolCapacity.set(workers.length);
    metrics.gpuPoolBusy.set(workers.reduce((n, w) => n + (this.inFlight.get(w) ?? 0), 0));
    metrics.gpuPoolQueued.set(this.queued);
  }

  /** The workers the pool knows now (its endpoints). */
  async workerCount(): Promise<number> {
    return (await this.endpoints.list()).length;
  }

  workerStats(): Map<string, WorkerStats> {
    return new Map([...this.stats].map(([k, v]) => [k, { ...v }]));
  }

  async *generate(request: GenerationRequest, options: GenerateOptions): AsyncIterable<GenerationEvent> {
    const failed = new Set<string>();
    let failures = 0;
    for (let attempt = 1; ; attempt++) {
      const worker = await this.acquire(failed, options);
      const started = Date.now();
      const stats = this.statsOf(worker);
      stats.calls++;
      let received = 0;
      const span = generateSpan(worker, attempt, request);
      const metadata = new grpc.Metadata();
      // The worker continues the edit's trace (traceparent in the call's metadata).
      injectTraceContext((key, value) => metadata.set(key, value), trace.setSpan(context.active(), span));
      const call = this.client(worker).Generate(toMessage(request), metadata, { deadline: options.deadline });
      const onAbort = () => call.cancel();
      options.signal?.addEventListener('abort', onAbort);
      try {
        yield { kind: 'started', worker, attempt };
        for await (const message of call as AsyncIterable<GenerateResponse__Output>) {
          received++;
          const event = toEvent(message, worker, attempt);
          yield event;
        }
        metrics.generations.inc({ outcome: 'ok' });
        return;
      } catch (error) {
        const code = (error as grpc.ServiceError).code;
        span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
        span.setAttribute('rpc.grpc.status_code', code ?? -1);
        metrics.generations.inc({ outcome: options.signal?.aborted ? 'cancelled' : 'failed' });
        if (options.signal?.aborted) throw new GenerationCancelled();
        if (code === grpc.status.RESOURCE_EXHAUSTED && received === 0) {
          this.coolDown(worker, this.options.busyRetryMs);
          continue;
        }
        if (isWorkerFailure(code)) {
          stats.failures++;
          failures++;
          failed.add(worker);
          this.coolDown(worker, this.options.coolDownMs);
          if (failures < this.options.maxWorkerFailures) continue;
        }
        throw mapGrpcError(error as grpc.ServiceError, failures);
      } finally {
        options.signal?.removeEventListener('abort', onAbort);
        call.cancel();
        span.setAttribute('f2f.messages_received', received);
        span.end();
        stats.busyMs += Date.now() - started;
        this.inFlight.set(worker, (this.inFlight.get(worker) ?? 1) - 1);
        this.released.emit('released');
      }
    }
  }

  close(): void {
    this.stopScraping();
    for (const client of this.clients.values()) client.close();
    this.clients.clear();
  }

  /** A free worker, preferring ones that have not failed this generation; waits while all are busy. */
  private async acquire(failed: Set<string>, options: GenerateOptions): Promise<string> {
    for (;;) {
      if (options.signal?.aborted) throw new GenerationCancelled();
      if (Date.now() >= options.deadline.getTime()) {
        throw new DomainError(
          ErrorCode.Unavailable,
          'video generator: no worker became free before the deadline',
        );
      }
      const now = Date.now();
      const workers = await this.endpoints.list();
      const free = workers.filter(
        (w) => (this.inFlight.get(w) ?? 0) === 0 && (this.coolingUntil.get(w) ?? 0) <= now,
      );
      const preferred = free.filter((w) => !failed.has(w));
      const pool = preferred.length > 0 ? preferred : free;
      if (pool.length > 0) {
        const worker = pool[this.rotation++ % pool.length];
        this.inFlight.set(worker, (this.inFlight.get(worker) ?? 0) + 1);
        return worker;
      }
      this.queued++;
      try {
        if (workers.length === 0) await sleep(this.options.busyRetryMs);
        else await this.waitForRelease(options);
      } finally {
        this.queued--;
      }
    }
  }

  private waitForRelease(options: GenerateOptions): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.released.off('released', done);
        options.signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, this.options.busyRetryMs);
      this.released.once('released', done);
      options.signal?.addEventListener('abort', done);
    });
  }

  private coolDown(worker: string, ms: number): void {
    this.coolingUntil.set(worker, Date.now() + ms);
  }

  private client(worker: string): VideoGeneratorClient {
    let client = this.clients.get(worker);
    if (!client) {
      client = videoGeneratorClient(worker) as unknown as VideoGeneratorClient;
      this.clients.set(worker, client);
    }
    return client;
  }

  private statsOf(worker: string): WorkerStats {
    let stats = this.stats.get(worker);
    if (!stats) {
      stats = { calls: 0, failures: 0, busyMs: 0 };
      this.stats.set(worker, stats);
    }
    return stats;
  }
}

/** The CLIENT span of one gRPC Generate call (one per attempt). */
function generateSpan(worker: string, attempt: number, request: GenerationRequest): Span {
  return tracer().startSpan('frame2frame.video.v1.VideoGenerator/Generate', {
    kind: SpanKind.CLIENT,
    attributes: {
      'rpc.system': 'grpc',
      'rpc.service': 'frame2frame.video.v1.VideoGenerator',
      'rpc.method': 'Generate',
      'server.address': worker,
      'f2f.attempt': attempt,
      'f2f.model': request.model,
      'f2f.steps': request.steps,
    },
  });
}

/** A worker that is unreachable, dying or broken: the job moves to another worker. */
function isWorkerFailure(code: grpc.status | undefined): boolean {
  switch (code) {
    case grpc.status.UNAVAILABLE:
    case grpc.status.INTERNAL:
    case grpc.status.UNKNOWN:
    case grpc.status.ABORTED:
    case grpc.status.CANCELLED:
    case grpc.status.RESOURCE_EXHAUSTED:
      return true;
    default:
      return false;
  }
}

function toMessage(request: GenerationRequest) {
  return {
    requestId: request.requestId,
    image: request.image,
    prompt: request.prompt,
    numFrames: request.numFrames,
    numInferenceSteps: request.steps,
    guidanceScale: request.guidance,
    fps: request.fps,
    seed: request.seed,
    width: request.width,
    height: request.height,
    model: request.model,
  };
}

function toEvent(message: GenerateResponse__Output, worker: string, attempts: number): GenerationEvent {
  switch (message.event) {
    case 'progress':
      return { kind: 'progress', step: message.progress!.step, totalSteps: message.progress!.totalSteps };
    case 'frame':
      return {
        kind: 'frame',
        index: message.frame!.index,
        png: message.frame!.png,
        width: message.frame!.width,
        height: message.frame!.height,
      };
    case 'summary':
      return {
        kind: 'summary',
        seed: message.summary!.seed,
        modelId: message.summary!.modelId,
        generator: message.summary!.generator,
        isModel: message.summary!.isModel,
        computeSeconds: message.summary!.computeSeconds,
        worker,
        attempts,
      };
    default:
      throw new DomainError(ErrorCode.Unavailable, 'the video generator sent an empty message');
  }
}

function mapGrpcError(error: grpc.ServiceError, failures: number): DomainError {
  const message = `video generator: ${error?.details || error?.message || 'unknown error'}${
    failures > 1 ? ` (after ${failures} workers failed)` : ''
  }`;
  switch (error?.code) {
    case grpc.status.INVALID_ARGUMENT:
    case grpc.status.FAILED_PRECONDITION:
    case grpc.status.OUT_OF_RANGE:
      return new DomainError(ErrorCode.InvalidInput, message);
    default:
      return new DomainError(ErrorCode.Unavailable, message);
  }
}
