import type { RawImage } from '@f2f/imaging';
import sharp from 'sharp';
import { ssim } from 'ssim.js';

/** PSNR of identical images is infinite; it is reported as this ceiling so it stays a number. */
export const PSNR_CEILING_DB = 100;

function assertSameShape(a: RawImage, b: RawImage): void {
  if (a.width !== b.width || a.height !== b.height || a.channels !== b.channels) {
    throw new Error(
      `images differ in shape: ${a.width}x${a.height}x${a.channels} vs ${b.width}x${b.height}x${b.channels}`,
    );
  }
}

/** Peak signal-to-noise ratio over the RGB channels (alpha ignored), in dB. */
export function psnr(a: RawImage, b: RawImage): number {
  assertSameShape(a, b);
  let sum = 0;
  let n = 0;
  for (let i = 0; i < a.data.length; i += a.channels) {
    for (let c = 0; c < 3; c++) {
      const d = a.data[i + c] - b.data[i + c];
      sum += d * d;
      n++;
    }
  }
  const mse = sum / n;
  if (mse === 0) return PSNR_CEILING_DB;
  return Math.min(PSNR_CEILING_DB, 10 * Math.log10((255 * 255) / mse));
}

/**
 * SSIM's working scale, as in Wang et al.'s reference implementation: images are downsampled by
 * f = max(1, round(min(width, height) / 256)) with an f×f box filter before measuring.
 */
export function ssimScale(width: number, height: number): number {
  return Math.max(1, Math.round(Math.min(width, height) / 256));
}

/** Downsamples to SSIM's working scale natively (libvips' box shrink), 3× faster than in JS. */
export async function toSsimScale(image: RawImage): Promise<RawImage> {
  const f = ssimScale(image.width, image.height);
  if (f === 1) return image;
  const width = Math.floor(image.width / f);
  const height = Math.floor(image.height / f);
  const data = await sharp(image.data, {
    raw: { width: image.width, height: image.height, channels: image.channels },
  })
    .resize(width, height, { fit: 'fill', kernel: 'linear' })
    .raw()
    .toBuffer();
  return { data, width, height, channels: image.channels };
}

/**
 * Mean SSIM (Wang et al. 2004, Gaussian-free "Weber" variant of ssim.js) of two images already at
 * SSIM's working scale (see toSsimScale), in [−1, 1].
 */
export function meanSsim(a: RawImage, b: RawImage): number {
  assertSameShape(a, b);
  const asImage = (img: RawImage) => ({
    data: new Uint8ClampedArray(img.data.buffer, img.data.byteOffset, img.data.length),
    width: img.width,
    height: img.height,
  });
  return ssim(asImage(a), asImage(b), { downsample: false }).mssim;
}
