import sharp from 'sharp';

import type { ImageScores, LearnedMetrics } from './learned-metrics';
import type { MetricModelsManifest } from './manifest';
import type { Rgb8 } from './preprocess';

/**
 * The paper's evaluation resolution: every result is resized to 512×512 before it is measured
 * (Frame2Frame §5, "Image Preprocessing and Generation Details"); its benchmarks' sources and
 * ground truths are 512×512 too.
 */
export const EVAL_SIZE = 512;

/** The image formats evaluation reads (those the platform accepts). */
export const EVAL_IMAGE_FORMATS = ['png', 'jpeg', 'webp'] as const;

/** An image evaluation cannot read; the message says which and why. */
export class EvalImageError extends Error {
  override readonly name = 'EvalImageError';
}

/**
 * Decodes a PNG, JPEG or WebP image of any size to 8-bit RGB at `size` × `size` (sharp, Lanczos 3;
 * an image of that size already is left as it is), as the protocol measures it.
 */
export async function decodeForEvaluation(image: Buffer, label: string, size = EVAL_SIZE): Promise<Rgb8> {
  let format: string | undefined;
  try {
    format = (await sharp(image).metadata()).format;
  } catch (error) {
    throw new EvalImageError(`${label} is not a readable image (${(error as Error).message})`);
  }
  if (!format || !(EVAL_IMAGE_FORMATS as readonly string[]).includes(format))
    throw new EvalImageError(`${label} is ${format ?? 'an unknown format'}; use PNG, JPEG or WebP`);
  try {
    const { data, info } = await sharp(image)
      .removeAlpha()
      .toColourspace('srgb')
      .resize(size, size, { fit: 'fill', kernel: 'lanczos3' })
      .raw()
      .toBuffer({ resolveWithObject: true });
    return { data, width: info.width, height: info.height, channels: 3 };
  } catch (error) {
    throw new EvalImageError(`${label} cannot be decoded (${(error as Error).message})`);
  }
}

/** One result to score, as encoded files (any size: each is resized to EVAL_SIZE first). */
export interface EncodedScoreInput {
  result: Buffer;
  source: Buffer;
  caption: string;
  groundTruth?: Buffer | null;
  /** Names the item in error messages. */
  label: string;
}

/** The evaluation protocol's scores of one result (decodeForEvaluation, then LearnedMetrics.score). */
export async function scoreEncoded(models: LearnedMetrics, input: EncodedScoreInput): Promise<ImageScores> {
  const [result, source, groundTruth] = await Promise.all([
    decodeForEvaluation(input.result, `${input.label}: the result`),
    decodeForEvaluation(input.source, `${input.label}: the source`),
    input.groundTruth ? decodeForEvaluation(input.groundTruth, `${input.label}: the ground truth`) : null,
  ]);
  return models.score({ result, source, groundTruth, caption: input.caption });
}

/** Which of a model set's networks have random weights (stand-ins whose scores mean nothing). */
export interface RandomNetworks {
  lpips: boolean;
  clip: boolean;
}

/**
 * The networks of a model set that are random-weight stand-ins: LPIPS when its AlexNet backbone or
 * its heads are random ("alexnet:random,…"), CLIP when its image or text tower is.
 */
export function randomNetworks(manifest: MetricModelsManifest): RandomNetworks {
  const m = manifest.models;
  const random = (weights: string) => /(^|[:,])random($|,)/.test(weights) || weights === 'random';
  return {
    lpips: random(m.lpipsFeatures.weights) || random(m.lpipsDistance.weights),
    clip: random(m.clipImage.weights) || random(m.clipText.weights),
  };
}
