import { DomainError, sleep, type Logger } from '@f2f/common';
import { ImageInspector, imageInspectorSettings, type ImageLimits } from '@f2f/imaging';
import {
  loadProtos,
  MAX_MESSAGE_BYTES,
  VIDEO_GENERATOR_SERVICE,
  type GenerateRequest__Output,
  type GenerateResponse,
} from '@f2f/video-proto';
import { context, contextFrom, SpanKind, trace, tracer, withSpan } from '@f2f/telemetry';
import * as grpc from '@grpc/grpc-js';
import { HealthImplementation } from 'grpc-health-check';

import type { PreviewConfig } from './config';
import { PREVIEW_GENERATOR_NAME, PREVIEW_MODEL_ID, renderPath } from './render';

type GenerateCall = grpc.ServerWritableStream<GenerateRequest__Output, GenerateResponse>;

class InvalidArgument extends Error {}

/**
 * Checks a request as the GPU worker does, so the stand-in refuses what the model would refuse. The
 * image goes through the platform's one inspection (magic bytes, header limits, a strict full
 * decode, in a worker thread with a time limit).
 */
export async function validateRequest(
  req: GenerateRequest__Output,
  inspector: ImageInspector,
  limits: ImageLimits,
): Promise<void> {
  const problems: string[] = [];
  if (!req.prompt.trim()) problems.push('prompt is empty');
  if (req.prompt.length > 2000) problems.push('prompt is longer than 2000 characters');
  if (req.numFrames < 2 || req.numFrames > 257) problems.push('num_frames must be within 2..257');
  if (req.numInferenceSteps < 1 || req.numInferenceSteps > 500)
    problems.push('num_inference_steps must be within 1..500');
  if (!(req.guidanceScale >= 0 && req.guidanceScale <= 50))
    problems.push('guidance_scale must be within 0..50');
  for (const [name, v] of [
    ['width', req.width],
    ['height', req.height],
  ] as const) {
    if (v < 64 || v > 2048 || v % 8 !== 0) problems.push(`${name} must be a multiple of 8 within 64..2048`);
  }
  if (req.model && req.model !== PREVIEW_MODEL_ID)
    problems.push(`this server runs "${PREVIEW_MODEL_ID}", not "${req.model}"`);
  try {
    await inspector.inspect(req.image, limits, 'image');
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    problems.push(error.message);
  }
  if (problems.length) throw new InvalidArgument(problems.join('; '));
}

export interface RunningServer {
  server: grpc.Server;
  port: number;
  health: HealthImplementation;
  shutdown(): Promise<void>;
}

export async function startPreviewServer(config: PreviewConfig, logger: Logger): Promise<RunningServer> {
  const { video } = loadProtos();
  const health = new HealthImplementation({ '': 'NOT_SERVING', [VIDEO_GENERATOR_SERVICE]: 'NOT_SERVING' });
  let active = 0;
  const inspector = new ImageInspector(imageInspectorSettings(config));
  const limits: ImageLimits = { maxBytes: MAX_MESSAGE_BYTES, maxPixels: config.MAX_IMAGE_PIXELS, minSide: 1 };

  /** A SERVER span that continues the caller's trace (traceparent in the call's metadata). */
  function generate(call: GenerateCall): Promise<void> {
    const header = (key: string) => call.metadata.get(key)[0]?.toString();
    return withSpan(
      'frame2frame.video.v1.VideoGenerator/Generate',
      {
        kind: SpanKind.SERVER,
        parent: contextFrom({ traceparent: header('traceparent'), tracestate: header('tracestate') }),
        attributes: { 'rpc.system': 'grpc', 'f2f.worker': 'preview-generator' },
      },
      () => generateInSpan(call),
    );
  }

  async function generateInSpan(call: GenerateCall): Promise<void> {
    const req = call.request;
    const log = logger.child({ requestId: req.requestId, seed: req.seed });
    if (active >= config.MAX_CONCURRENT) {
      fail(call, grpc.status.RESOURCE_EXHAUSTED, `busy: ${active} generations running`);
      return;
    }
    active++;
    const started = process.hrtime.bigint();
    try {
      await validateRequest(req, inspector, limits);
      log.info({ frames: req.numFrames, steps: req.numInferenceSteps }, 'generating (preview, not a model)');
      const elapsed = () => Number(process.hrtime.bigint() - started) / 1e9;
      const denoise = tracer().startSpan('worker denoise', { attributes: { steps: req.numInferenceSteps } });
      try {
        for (let step = 1; step <= req.numInferenceSteps; step++) {
          await sleep(config.STEP_DELAY_MS);
          if (call.cancelled) return log.info({ step }, 'cancelled by the client');
          await write(call, {
            progress: { step, totalSteps: req.numInferenceSteps, elapsedSeconds: elapsed() },
          });
        }
      } finally {
        denoise.end();
      }
      const decode = tracer().startSpan('worker decode frames', { attributes: { frames: req.numFrames } });
      const decodeContext = trace.setSpan(context.active(), decode);
      try {
        await context.with(decodeContext, () => streamFrames(call, req, log));
      } finally {
        decode.end();
      }
      if (call.cancelled) return;
      await write(call, {
        summary: {
          seed: req.seed,
          modelId: PREVIEW_MODEL_ID,
          modelRevision: 'preview-v1',
          frameCount: req.numFrames,
          computeSeconds: elapsed(),
          peakMemoryBytes: String(process.memoryUsage().rss),
          generator: PREVIEW_GENERATOR_NAME,
          isModel: false,
        },
      });
      call.end();
    } catch (error) {
      if (error instanceof InvalidArgument) {
        fail(call, grpc.status.INVALID_ARGUMENT, error.message);
      } else if (!call.cancelled) {
        log.error({ err: error }, 'generation failed');
        fail(call, grpc.status.INTERNAL, 'generation failed');
      }
    } finally {
      active--;
    }
  }

  const server = new grpc.Server({
    'grpc.max_receive_message_length': MAX_MESSAGE_BYTES,
    'grpc.max_send_message_length': MAX_MESSAGE_BYTES,
  });
  server.addService(video.frame2frame.video.v1.VideoGenerator.service, {
    Generate: (call: GenerateCall) => void generate(call),
  });
  health.addToServer(server);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(
      `${config.HOST}:${config.PORT}`,
      grpc.ServerCredentials.createInsecure(),
      (err, bound) => (err ? reject(err) : resolve(bound)),
    ),
  );
  health.setStatus('', 'SERVING');
  health.setStatus(VIDEO_GENERATOR_SERVICE, 'SERVING');
  return {
    server,
    port,
    health,
    shutdown: () =>
      new Promise<void>((resolve) => {
        health.setStatus('', 'NOT_SERVING');
        health.setStatus(VIDEO_GENERATOR_SERVICE, 'NOT_SERVING');
        server.tryShutdown(() => void inspector.close().then(resolve, resolve));
      }),
  };
}

/** Renders and streams the frames (the stand-in's "VAE decode"). */
async function streamFrames(call: GenerateCall, req: GenerateRequest__Output, log: Logger): Promise<void> {
  for await (const frame of renderPath({
    image: req.image,
    prompt: req.prompt,
    seed: req.seed,
    numFrames: req.numFrames,
    width: req.width,
    height: req.height,
  })) {
    if (call.cancelled) return log.info({ frame: frame.index }, 'cancelled by the client');
    await write(call, {
      frame: { index: frame.index, png: frame.png, width: req.width, height: req.height },
    });
  }
}

/**
 * Ends the call with an error status. grpc-js sends the status from the stream's 'error' handler;
 * `call.destroy(err)` would tear the stream down without ever sending it, and the client would hang.
 */
function fail(call: GenerateCall, code: grpc.status, details: string): void {
  call.emit('error', { code, details });
}

/** Writes with backpressure: waits for 'drain' when the stream's buffer is full, or for the call to end. */
function write(call: GenerateCall, message: GenerateResponse): Promise<void> {
  return new Promise((resolve) => {
    if (call.write(message)) return resolve();
    const done = () => {
      call.off('drain', done);
      call.off('cancelled', done);
      call.off('close', done);
      resolve();
    };
    call.once('drain', done);
    call.once('cancelled', done);
    call.once('close', done);
  });
}
