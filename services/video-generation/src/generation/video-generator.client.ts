import { DomainError, ErrorCode } from '@f2f/common';
import {
  type GenerateResponse__Output,
  videoGeneratorClient,
  type VideoGeneratorClient,
} from '@f2f/video-proto';
import * as grpc from '@grpc/grpc-js';

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
  | { kind: 'progress'; step: number; totalSteps: number }
  | { kind: 'frame'; index: number; png: Buffer; width: number; height: number }
  | {
      kind: 'summary';
      seed: number;
      modelId: string;
      generator: string;
      isModel: boolean;
      computeSeconds: number;
    };

export const VIDEO_GENERATOR = Symbol('VideoGenerator');

/** The GPU pool as the use case sees it. */
export interface VideoGenerator {
  generate(request: GenerationRequest, deadline: Date): AsyncIterable<GenerationEvent>;
}

/**
 * gRPC client over a list of VideoGenerator endpoints. A call that fails before its first message
 * with UNAVAILABLE or RESOURCE_EXHAUSTED moves on to the next endpoint with the same request (and
 * so the same seed); failures mid-stream surface to the caller, which retries the whole edit.
 */
export class GrpcVideoGenerator implements VideoGenerator {
  private readonly clients: VideoGeneratorClient[];
  private next = 0;

  constructor(addresses: string[]) {
    this.clients = addresses.map((a) => videoGeneratorClient(a) as unknown as VideoGeneratorClient);
  }

  async *generate(request: GenerationRequest, deadline: Date): AsyncIterable<GenerationEvent> {
    let lastError: unknown;
    for (let tried = 0; tried < this.clients.length; tried++) {
      const client = this.clients[this.next++ % this.clients.length];
      const call = client.Generate(
        {
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
        },
        { deadline },
      );
      let received = 0;
      try {
        for await (const message of call as AsyncIterable<GenerateResponse__Output>) {
          received++;
          yield toEvent(message);
        }
        return;
      } catch (error) {
        lastError = error;
        const code = (error as grpc.ServiceError).code;
        if (received === 0 && (code === grpc.status.UNAVAILABLE || code === grpc.status.RESOURCE_EXHAUSTED))
          continue;
        throw mapGrpcError(error as grpc.ServiceError);
      } finally {
        call.cancel();
      }
    }
    throw mapGrpcError(lastError as grpc.ServiceError);
  }

  close(): void {
    for (const c of this.clients) c.close();
  }
}

function toEvent(message: GenerateResponse__Output): GenerationEvent {
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
      };
    default:
      throw new DomainError(ErrorCode.Internal, 'the generator sent an empty message');
  }
}

function mapGrpcError(error: grpc.ServiceError): DomainError {
  const message = `video generator: ${error?.details || error?.message || 'unknown error'}`;
  switch (error?.code) {
    case grpc.status.INVALID_ARGUMENT:
    case grpc.status.FAILED_PRECONDITION:
    case grpc.status.OUT_OF_RANGE:
      return new DomainError(ErrorCode.InvalidInput, message);
    default:
      return new DomainError(ErrorCode.Unavailable, message);
  }
}
