import { createHash } from 'node:crypto';

import { letterbox } from '@f2f/imaging';
import sharp from 'sharp';

/**
 * The preview generator's path: NOT A MODEL. It renders a deterministic, smooth sequence of frames
 * from the source image (a slow zoom with a drift of hue and brightness, its direction derived from
 * the caption and seed) so that every downstream stage has real frames to work on without a GPU.
 * Frame 0 is exactly the letterboxed source, as with CogVideoX image-to-video.
 */
export const PREVIEW_GENERATOR_NAME = 'preview-generator (not a model)';
export const PREVIEW_MODEL_ID = 'preview';

export interface RenderRequest {
  image: Buffer;
  prompt: string;
  seed: number;
  numFrames: number;
  width: number;
  height: number;
}

export interface PathParameters {
  zoom: number;
  hue: number;
  brightness: number;
}

/** The path's end point, a pure function of caption and seed. */
export function pathParameters(prompt: string, seed: number): PathParameters {
  const digest = createHash('sha256').update(`${seed}\u0000${prompt}`).digest();
  const unit = (i: number) => digest.readUInt16BE(i) / 0xffff;
  return {
    zoom: 1.05 + 0.2 * unit(0),
    hue: Math.round(-60 + 120 * unit(2)),
    brightness: 0.85 + 0.3 * unit(4),
  };
}

const smoothstep = (t: number) => t * t * (3 - 2 * t);

/** Renders frames one at a time, as PNG, in index order. */
export async function* renderPath(request: RenderRequest): AsyncGenerator<{ index: number; png: Buffer }> {
  const base = await letterbox(request.image, request.width, request.height);
  const params = pathParameters(request.prompt, request.seed);
  for (let index = 0; index < request.numFrames; index++) {
    if (index === 0) {
      yield { index, png: base };
      continue;
    }
    const s = smoothstep(index / (request.numFrames - 1));
    const zoom = 1 + (params.zoom - 1) * s;
    const zw = Math.round(request.width * zoom);
    const zh = Math.round(request.height * zoom);
    const png = await sharp(base)
      .modulate({ hue: Math.round(params.hue * s), brightness: 1 + (params.brightness - 1) * s })
      .resize(zw, zh)
      .extract({
        left: Math.floor((zw - request.width) / 2),
        top: Math.floor((zh - request.height) / 2),
        width: request.width,
        height: request.height,
      })
      .png({ compressionLevel: 3 })
      .toBuffer();
    yield { index, png };
  }
}
