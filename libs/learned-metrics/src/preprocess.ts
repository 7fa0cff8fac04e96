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

/** `Normalize(mean, std)(ToTensor()(crop))` written into `out` at `offset` (CHW, float32). */
export function clipTensorInto(crop: Rgb8, out: Float32Array, offset = 0): void {
  const plane = crop.width * crop.height;
  const f = Math.fround;
  for (let c = 0; c < 3; c++) {
    const mean = f(CLIP_MEAN[c]);
    const std = f(CLIP_STD[c]);
    for (let i = 0; i < plane; i++) {
      out[offset + c * plane + i] = f(f(f(crop.data[i * crop.channels + c] / 255) - mean) / std);
    }
  }
}

/** LPIPS' input: Pillow `resize((size, size), BILINEAR)` (none when already that size). */
export function lpipsResize(img: Rgb8, size: number): Rgb8 {
  return pilResize(img, size, size, BILINEAR);
}

/** `ToTensor()(img) * 2 - 1` (CHW, float32 in [-1, 1]) written into `out` at `offset`. */
export function lpipsTensorInto(img: Rgb8, out: Float32Array, offset = 0): void {
  const plane = img.width * img.height;
  const f = Math.fround;
  for (let c = 0; c < 3; c++) {
    for (let i = 0; i < plane; i++) {
      out[offset + c * plane + i] = f(f(img.data[i * img.channels + c] / 255) * 2) - 1;
    }
  }
}
