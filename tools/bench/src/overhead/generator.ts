import type { GenerateResponse__Output } from '@f2f/video-proto';
import { videoGeneratorClient } from '@f2f/video-proto';

import type { GeneratedFrame } from '../stages/stage-code';

export interface GenerateParams {
  image: Buffer;
  prompt: string;
  frames: number;
  steps: number;
  seed: number;
  width: number;
  height: number;
}

/** One video from a preview generator over gRPC, as video-generation calls it: its frames. */
export async function generateOverGrpc(address: string, params: GenerateParams): Promise<GeneratedFrame[]> {
  const client = videoGeneratorClient(address);
  try {
    const call = client.Generate({
      requestId: `bench-${params.seed}-${Date.now()}`,
      image: params.image,
      prompt: params.prompt,
      numFrames: params.frames,
      numInferenceSteps: params.steps,
      guidanceScale: 6,
      fps: 8,
      seed: params.seed,
      width: params.width,
      height: params.height,
      model: 'preview',
    });
    const frames: GeneratedFrame[] = [];
    for await (const message of call as AsyncIterable<GenerateResponse__Output>) {
      if (message.frame) frames.push({ index: message.frame.index, png: message.frame.png });
    }
    return frames;
  } finally {
    client.close();
  }
}
