import { createLogger, sleep } from '@f2f/common';
import {
  healthClient,
  videoGeneratorClient,
  VIDEO_GENERATOR_SERVICE,
  type GenerateRequest,
  type GenerateResponse__Output,
} from '@f2f/video-proto';
import * as grpc from '@grpc/grpc-js';
import sharp from 'sharp';

import { makeImage, makePixelBombPng } from '../../../../test/support/factories';
import { billionLaughsSvg, withBadIdatCrc } from '../../../../test/support/hostile-images';
import { previewConfigSchema } from '../config';
import { startPreviewServer, type RunningServer } from '../server';

type Client = ReturnType<typeof videoGeneratorClient>;

interface Outcome {
  messages: GenerateResponse__Output[];
  error?: grpc.ServiceError;
}

/** Runs a call to its end; `onMessage` may act on the live call (e.g. cancel it). */
function collect(
  call: grpc.ClientReadableStream<GenerateResponse__Output>,
  onMessage?: (
    message: GenerateResponse__Output,
    call: grpc.ClientReadableStream<GenerateResponse__Output>,
  ) => void,
): Promise<Outcome> {
  const messages: GenerateResponse__Output[] = [];
  return new Promise((resolve) => {
    call.on('data', (message: GenerateResponse__Output) => {
      messages.push(message);
      onMessage?.(message, call);
    });
    call.on('error', (error: grpc.ServiceError) => resolve({ messages, error }));
    call.on('end', () => resolve({ messages }));
  });
}

/** Every call has a deadline, so that a server that never answers fails a test instead of hanging it. */
const CALL_DEADLINE_MS = 10_000;

function generate(client: Client, req: GenerateRequest, deadline = Date.now() + CALL_DEADLINE_MS) {
  return client.Generate(req, { deadline });
}

async function startServer(
  env: Record<string, string>,
): Promise<{ running: RunningServer; address: string }> {
  const config = previewConfigSchema.parse({ PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', ...env });
  const running = await startPreviewServer(config, createLogger('test', 'silent'));
  expect(running.port).toBeGreaterThan(0);
  return { running, address: `127.0.0.1:${running.port}` };
}

describe('preview generator gRPC server', () => {
  const SLOW_STEP_MS = 50;
  let image: Buffer;
  let fast: { running: RunningServer; address: string; client: Client };
  // One generation at a time, each step slow enough to act on a call while it runs.
  let slow: { running: RunningServer; address: string; client: Client };

  const request = (overrides: Partial<GenerateRequest> = {}): GenerateRequest => ({
    requestId: 'edit-1/candidate-0',
    image,
    prompt: 'The dog slowly sits down.',
    numFrames: 5,
    numInferenceSteps: 4,
    guidanceScale: 6,
    fps: 8,
    seed: 42,
    width: 720,
    height: 480,
    model: 'preview',
    ...overrides,
  });

  /**
   * Calls the slow server until it accepts a small generation; returns how long after `since`
   * that happened. Proves the single slot was freed without waiting for the whole first generation.
   */
  async function slotFreeAfter(since: number): Promise<number> {
    for (;;) {
      const outcome = await collect(generate(slow.client, request({ numInferenceSteps: 1, numFrames: 2 })));
      if (outcome.error?.code !== grpc.status.RESOURCE_EXHAUSTED) {
        expect(outcome.error).toBeUndefined();
        expect(outcome.messages[outcome.messages.length - 1].summary).toBeTruthy();
        return Date.now() - since;
      }
      if (Date.now() - since > 10_000) throw new Error('the slot was never freed');
      await sleep(10);
    }
  }

  beforeAll(async () => {
    image = await makeImage(320, 240);
    const f = await startServer({ STEP_DELAY_MS: '1', MAX_CONCURRENT: '4' });
    fast = { ...f, client: videoGeneratorClient(f.address) };
    const s = await startServer({ STEP_DELAY_MS: String(SLOW_STEP_MS), MAX_CONCURRENT: '1' });
    slow = { ...s, client: videoGeneratorClient(s.address) };
  });

  afterAll(async () => {
    fast?.client.close();
    slow?.client.close();
    await Promise.all([fast?.running.shutdown(), slow?.running.shutdown()]);
  });

  it('streams every progress step, then every frame in order, then one summary', async () => {
    const steps = 4;
    const frames = 5;
    const { messages, error } = await collect(
      generate(fast.client, request({ numInferenceSteps: steps, numFrames: frames, seed: 7 })),
    );
    expect(error).toBeUndefined();
    expect(messages.map((m) => m.event)).toEqual([
      ...Array<string>(steps).fill('progress'),
      ...Array<string>(frames).fill('frame'),
      'summary',
    ]);

    const progress = messages.slice(0, steps).map((m) => m.progress!);
    expect(progress.map((p) => p.step)).toEqual([1, 2, 3, 4]);
    expect(progress.every((p) => p.totalSteps === steps)).toBe(true);
    const elapsed = progress.map((p) => p.elapsedSeconds);
    expect(elapsed).toEqual([...elapsed].sort((a, b) => a - b));

    const frameMessages = messages.slice(steps, steps + frames).map((m) => m.frame!);
    expect(frameMessages.map((f) => f.index)).toEqual([0, 1, 2, 3, 4]);
    for (const frame of frameMessages) {
      expect([frame.width, frame.height]).toEqual([720, 480]);
      const meta = await sharp(frame.png).metadata();
      expect([meta.format, meta.width, meta.height]).toEqual(['png', 720, 480]);
    }

    const summary = messages[messages.length - 1].summary!;
    expect(summary.generator).toMatch(/not a model/);
    expect(summary.isModel).toBe(false);
    expect(summary.frameCount).toBe(frames);
    expect(summary.seed).toBe(7);
    expect(summary.modelId).toBe('preview');
  });

  it.each(['', VIDEO_GENERATOR_SERVICE])('reports SERVING for health service %j', async (service) => {
    const health = healthClient(fast.address);
    try {
      const response = await new Promise((resolve, reject) =>
        health.Check({ service }, (err, res) => (err ? reject(err) : resolve(res))),
      );
      expect(response).toEqual({ status: 'SERVING' });
    } finally {
      health.close();
    }
  });

  it.each<[string, Partial<GenerateRequest>, RegExp]>([
    ['an empty prompt', { prompt: '' }, /prompt is empty/],
    ['a blank prompt', { prompt: '   ' }, /prompt is empty/],
    ['num_frames 1', { numFrames: 1 }, /num_frames/],
    ['a width that is not a multiple of 8', { width: 724 }, /width/],
    ['a height that is not a multiple of 8', { height: 482 }, /height/],
    ['bytes that are not an image', { image: Buffer.from('definitely not an image, just text') }, /image/],
    ['an empty image', { image: Buffer.alloc(0) }, /image is empty/],
    ['another model', { model: 'cogvideox-5b-i2v' }, /cogvideox-5b-i2v/],
    ['an SVG with nested entities', { image: billionLaughsSvg() }, /not a PNG, JPEG or WebP/],
    ['a pixel bomb', { image: makePixelBombPng() }, /50000×50000 pixels/],
  ])('answers INVALID_ARGUMENT for %s, before streaming anything', async (_name, overrides, details) => {
    const { messages, error } = await collect(generate(fast.client, request(overrides)));
    expect(error?.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(error?.details).toMatch(details);
    expect(messages).toEqual([]);
  });

  it('answers INVALID_ARGUMENT for a PNG with a bad CRC (decoded as strictly as the platform)', async () => {
    const { messages, error } = await collect(
      generate(fast.client, request({ image: withBadIdatCrc(image) })),
    );
    expect(error?.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(error?.details).toMatch(/cannot be decoded/);
    expect(messages).toEqual([]);
  });

  it('stops a cancelled generation and frees its slot at once', async () => {
    const steps = 100; // 5 s of "denoising" if it ran to the end
    const cancelledAt: number[] = [];
    const { messages, error } = await collect(
      generate(slow.client, request({ numInferenceSteps: steps })),
      (_message, call) => {
        if (cancelledAt.length === 0) {
          cancelledAt.push(Date.now());
          call.cancel();
        }
      },
    );
    expect(error?.code).toBe(grpc.status.CANCELLED);
    expect(messages[0].progress?.step).toBe(1);
    expect(messages.some((m) => m.frame || m.summary)).toBe(false);
    // Freed within a few steps, not after the remaining ~99 steps.
    expect(await slotFreeAfter(cancelledAt[0])).toBeLessThan((steps * SLOW_STEP_MS) / 4);
  });

  it('answers RESOURCE_EXHAUSTED when all slots are busy, without disturbing the running call', async () => {
    let second: Promise<Outcome> | undefined;
    const first = collect(generate(slow.client, request({ numInferenceSteps: 10, numFrames: 3 })), () => {
      // The first call is running once it has streamed a message.
      second ??= collect(generate(slow.client, request()));
    });
    const firstOutcome = await first;
    const secondOutcome = await second!;
    expect(secondOutcome.error?.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    expect(secondOutcome.messages).toEqual([]);

    expect(firstOutcome.error).toBeUndefined();
    expect(firstOutcome.messages.filter((m) => m.frame)).toHaveLength(3);
    expect(firstOutcome.messages[firstOutcome.messages.length - 1].summary?.frameCount).toBe(3);
  });

  it('fails with DEADLINE_EXCEEDED when the deadline is shorter than the generation, and frees the slot', async () => {
    const steps = 100;
    const deadline = Date.now() + 400;
    const { messages, error } = await collect(
      generate(slow.client, request({ numInferenceSteps: steps }), deadline),
    );
    expect(error?.code).toBe(grpc.status.DEADLINE_EXCEEDED);
    expect(messages.some((m) => m.summary)).toBe(false);
    expect(await slotFreeAfter(deadline)).toBeLessThan((steps * SLOW_STEP_MS) / 4);
  });
});
