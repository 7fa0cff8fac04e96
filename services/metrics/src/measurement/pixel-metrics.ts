import type { RawImage } from '@f2f/imaging';
import sharp from 'sharp';

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
  const x = a.data;
  const y = b.data;
  const sc = a.channels;
  let sum = 0;
  for (let i = 0; i < x.length; i += sc) {
    const dr = x[i] - y[i];
    const dg = x[i + 1] - y[i + 1];
    const db = x[i + 2] - y[i + 2];
    sum += dr * dr + dg * dg + db * db;
  }
  const mse = sum / ((x.length / sc) * 3);
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

const SSIM_WINDOW = 11;
// As ssim.js writes them (k·L·(k·L)), so the constants are its bits.
const SSIM_C1 = 0.01 * 255 * (0.01 * 255);
const SSIM_C2 = 0.03 * 255 * (0.03 * 255);

/** ssim.js' `rgb2grayInteger` of RGBA pixels: (77 R + 150 G + 29 B + 128) >> 8. */
function gray(img: RawImage): Int32Array {
  if (img.channels !== 4) throw new Error(`SSIM needs RGBA pixels, got ${img.channels} channels`);
  const out = new Int32Array(img.width * img.height);
  const d = img.data;
  for (let i = 0, p = 0; i < out.length; i++, p += 4) {
    out[i] = (77 * d[p] + 150 * d[p + 1] + 29 * d[p + 2] + 128) >> 8;
  }
  return out;
}

/**
 * Sums of `value(i)` over every SSIM_WINDOW × SSIM_WINDOW window (valid positions only), from a
 * summed-area table in float64: integers far below 2^53, so exact.
 */
function windowSums(width: number, height: number, value: (i: number) => number): Float64Array {
  const W = width + 1;
  const table = new Float64Array(W * (height + 1));
  for (let y = 0; y < height; y++) {
    let row = 0;
    for (let x = 0; x < width; x++) {
      row += value(y * width + x);
      table[(y + 1) * W + x + 1] = table[y * W + x + 1] + row;
    }
  }
  const ww = width - SSIM_WINDOW + 1;
  const wh = height - SSIM_WINDOW + 1;
  const out = new Float64Array(ww * wh);
  for (let y = 0; y < wh; y++) {
    for (let x = 0; x < ww; x++) {
      out[y * ww + x] =
        table[(y + SSIM_WINDOW) * W + x + SSIM_WINDOW] -
        table[y * W + x + SSIM_WINDOW] -
        table[(y + SSIM_WINDOW) * W + x] +
        table[y * W + x];
    }
  }
  return out;
}

/**
 * Mean SSIM against one fixed image (the source), with that image's window statistics computed
 * once rather than for every frame. The arithmetic is ssim.js' "weber" SSIM (Wang et al. 2004 with
 * an 11×11 box window, k1 0.01, k2 0.03, on its integer grey conversion), step for step: the same
 * window sums, the same truncation of the (co)variances to 1/1024, the same running mean, so the
 * values are ssim.js' to the last bit (tested against it), at a fraction of its cost.
 */
export class SsimReference {
  private readonly gray: Int32Array;
  private readonly sums: Float64Array;
  private readonly variance: Int32Array;

  constructor(readonly image: RawImage) {
    if (image.width < SSIM_WINDOW || image.height < SSIM_WINDOW) {
      throw new Error(
        `SSIM needs at least ${SSIM_WINDOW}x${SSIM_WINDOW} pixels, got ${image.width}x${image.height}`,
      );
    }
    this.gray = gray(image);
    const g = this.gray;
    this.sums = windowSums(image.width, image.height, (i) => g[i]);
    this.variance = variances(
      this.sums,
      windowSums(image.width, image.height, (i) => g[i] * g[i]),
    );
  }

  /** Mean SSIM of `other` (same shape, at SSIM's working scale) against the reference image. */
  compare(other: RawImage): number {
    assertSameShape(this.image, other);
    const { width, height } = other;
    const g1 = this.gray;
    const g2 = gray(other);
    const sums2 = windowSums(width, height, (i) => g2[i]);
    const var2 = variances(
      sums2,
      windowSums(width, height, (i) => g2[i] * g2[i]),
    );
    const cross = windowSums(width, height, (i) => g1[i] * g2[i]);
    const n = SSIM_WINDOW * SSIM_WINDOW;
    const sums1 = this.sums;
    const var1 = this.variance;
    let mssim = 0;
    for (let i = 0; i < sums1.length; i++) {
      // ssim.js stores the covariance in an Int32Array: truncated, like the variances.
      const cov1024 = Math.trunc(1024 * (cross[i] / n - (sums1[i] / n) * (sums2[i] / n)));
      const meanx = sums1[i] / n;
      const meany = sums2[i] / n;
      const varx = var1[i] / 1024;
      const vary = var2[i] / 1024;
      const cov = cov1024 / 1024;
      const value =
        ((2 * meanx * meany + SSIM_C1) * (2 * cov + SSIM_C2)) /
        (meanx * meanx + meany * meany + SSIM_C1) /
        (varx + vary + SSIM_C2);
      mssim = i === 0 ? value : mssim + (value - mssim) / (i + 1);
    }
    return mssim;
  }
}

/** ssim.js' window variances, 1024 × (E[x²] − E[x]²) truncated to an integer. */
function variances(sums: Float64Array, squares: Float64Array): Int32Array {
  const n = SSIM_WINDOW * SSIM_WINDOW;
  const out = new Int32Array(sums.length);
  for (let i = 0; i < sums.length; i++) {
    const mean = sums[i] / n;
    out[i] = 1024 * (squares[i] / n - mean * mean);
  }
  return out;
}

/**
 * Mean SSIM (Wang et al. 2004; ssim.js' "weber" variant, see SsimReference) of two images already
 * at SSIM's working scale (see toSsimScale), in [−1, 1]. Measuring many frames against one image:
 * use an SsimReference.
 */
export function meanSsim(a: RawImage, b: RawImage): number {
  return new SsimReference(a).compare(b);
}
