import sharp from 'sharp';

import { BICUBIC, BILINEAR, centerCrop, pilResize, type Rgb8 } from './pil-resize';

export type { Rgb8 } from './pil-resize';

export const CLIP_SIZE = 224;
export const CLIP_MEAN = [0.48145466, 0.4578275, 0.40821073] as const;
export const CLIP_STD = [0.26862954, 0.26130258, 0.27577711] as const;

/** Decodes an encoded image (PNG, JPEG, WebP, ...) to 8-bit RGB with sharp. */
export async function decodeRgb(image: Buffer): Promise<Rgb8> {
  const { data, info } = await sharp(image).removeAlpha().toColourspace('srgb').raw().toBuffer({
    resolveWithObject: true,
  });
  return { data, width: info.width, height: info.height, channels: 3 };
}

/**
 * CLIP's image preprocessing, as torchvision on a PIL image: `Resize(224, BICUBIC)` of the shortest
 * side (the longest becomes int(224 * long / short)), `CenterCrop(224)`.
 */
export function clipCrop(img: Rgb8): Rgb8 {
  const short = Math.min(img.width, img.height);
  const long = Math.max(img.width, img.height);
  const other = Math.trunc((CLIP_SIZE * long) / short);
  const [w, h] = img.width <= img.height ? [CLIP_SIZE, other] : [other, CLIP_SIZE];
  return centerCrop(pilResize(img, w, h, BICUBIC), CLIP_SIZE);
}

// Every 8-bit value maps to one float32 per channel, so the tensors are filled from tables made
// with the exact float32 expressions of torchvision's transforms (bit-identical, no per-pixel math).
const f32 = Math.fround;
const CLIP_TABLES = [0, 1, 2].map((c) =>
  Float32Array.from({ length: 256 }, (_, v) => f32(f32(f32(v / 255) - f32(CLIP_MEAN[c])) / f32(CLIP_STD[c]))),
);
const LPIPS_TABLE = Float32Array.from({ length: 256 }, (_, v) => f32(f32(v / 255) * 2) - 1);
/** `ToTensor()(img)` alone: the [0, 1] input that reproduces the Frame2Frame paper's LPIPS figures. */
const LPIPS_UNIT_TABLE = Float32Array.from({ length: 256 }, (_, v) => f32(v / 255));

function planesInto(img: Rgb8, tables: Float32Array[], out: Float32Array, offset: number): void {
  const plane = img.width * img.height;
  const sc = img.channels;
  const data = img.data;
  for (let c = 0; c < 3; c++) {
    const t = tables[c];
    const base = offset + c * plane;
    for (let i = 0, p = c; i < plane; i++, p += sc) out[base + i] = t[data[p]];
  }
}

/** `Normalize(mean, std)(ToTensor()(crop))` written into `out` at `offset` (CHW, float32). */
export function clipTensorInto(crop: Rgb8, out: Float32Array, offset = 0): void {
  planesInto(crop, CLIP_TABLES, out, offset);
}

/** LPIPS' input: Pillow `resize((size, size), BILINEAR)` (none when already that size). */
export function lpipsResize(img: Rgb8, size: number): Rgb8 {
  return pilResize(img, size, size, BILINEAR);
}

/**
 * LPIPS' input tensor (CHW, float32) written into `out` at `offset`: `ToTensor()(img) * 2 - 1`, in
 * [-1, 1] as LPIPS defines it (range 'signed', the default), or `ToTensor()(img)` in [0, 1] ('unit').
 */
export function lpipsTensorInto(
  img: Rgb8,
  out: Float32Array,
  offset = 0,
  range: 'signed' | 'unit' = 'signed',
): void {
  const table = range === 'unit' ? LPIPS_UNIT_TABLE : LPIPS_TABLE;
  planesInto(img, [table, table, table], out, offset);
}

/** An image as the networks take it: CLIP's and LPIPS' input tensors (CHW, float32). */
export interface PreparedImage {
  clip: Float32Array;
  lpips: Float32Array;
}

/**
 * Both networks' preprocessing of one image: a pure function, so it can run wherever the pixels
 * are (the metrics service runs it in worker threads, beside decoding and the pixel metrics).
 */
export function prepareImage(img: Rgb8, lpipsSize: number): PreparedImage {
  if (
    img.width < 1 ||
    img.height < 1 ||
    img.data.length < img.width * img.height * img.channels ||
    img.channels < 3
  ) {
    throw new Error(
      `not an RGB(A) image: ${img.width}x${img.height}x${img.channels}, ${img.data.length} bytes`,
    );
  }
  const clip = new Float32Array(3 * CLIP_SIZE * CLIP_SIZE);
  clipTensorInto(clipCrop(img), clip);
  const lpips = new Float32Array(3 * lpipsSize * lpipsSize);
  lpipsTensorInto(lpipsResize(img, lpipsSize), lpips);
  return { clip, lpips };
}
