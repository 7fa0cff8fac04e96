import type { RawImage } from './frames';

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

/** A grey image at SSIM's working scale: what SSIM compares (see toSsimImage). */
export interface SsimImage {
  data: Uint8Array;
  width: number;
  height: number;
}

/**
 * An RGBA image as ssim.js measures it with its defaults: its integer grey (77 R + 150 G + 29 B +
 * 128) >> 8, then its "original" downsampling (Wang et al.'s MATLAB code: an f×f box filter with
 * symmetric padding, every f-th sample from the first, f = ssimScale), rounded to integers as its
 * "weber" SSIM rounds its input. In integer arithmetic: the same values as ssim.js' floating-point
 * sums wherever those cannot tie at a half (every f except even non-powers of two, i.e. below 6 and
 * so for frames under 1408 px on their short side).
 */
export function toSsimImage(image: RawImage): SsimImage {
  if (image.channels !== 4) throw new Error(`SSIM needs RGBA pixels, got ${image.channels} channels`);
  const { width, height } = image;
  const d = image.data;
  const g = new Uint8Array(width * height);
  for (let i = 0, p = 0; i < g.length; i++, p += 4) {
    g[i] = (77 * d[p] + 150 * d[p + 1] + 29 * d[p + 2] + 128) >> 8;
  }
  const f = ssimScale(width, height);
  if (f === 1) return { data: g, width, height };
  if (f === 2) return halve(g, width, height);
  // ssim.js pads floor(f/2) mirrored rows and columns before the image (and, for odd f, after it),
  // so output sample i averages the source's indices i·f − floor(f/2) … i·f − floor(f/2) + f − 1.
  const pad = Math.floor(f / 2);
  const mirror = (i: number, n: number) => (i < 0 ? -i - 1 : i >= n ? 2 * n - i - 1 : i);
  const ow = Math.ceil(width / f);
  const oh = Math.ceil(height / f);
  const cols = Int32Array.from({ length: ow * f }, (_, k) =>
    mirror(Math.floor(k / f) * f - pad + (k % f), width),
  );
  const rowSums = new Int32Array(ow);
  const out = new Uint8Array(ow * oh);
  const n2 = 2 * f * f;
  for (let oy = 0; oy < oh; oy++) {
    rowSums.fill(0);
    for (let k = 0; k < f; k++) {
      const row = mirror(oy * f - pad + k, height) * width;
      for (let ox = 0, c = 0; ox < ow; ox++) {
        let s = 0;
        for (let j = 0; j < f; j++, c++) s += g[row + cols[c]];
        rowSums[ox] += s;
      }
    }
    // round(sum / f²) with halves up, as ssim.js' Int32Array.from(v + 0.5) of the mean.
    for (let ox = 0; ox < ow; ox++) out[oy * ow + ox] = Math.floor((2 * rowSums[ox] + f * f) / n2);
  }
  return { data: out, width: ow, height: oh };
}

/**
 * toSsimImage's downsampling for f = 2 (frames of 384 to 639 px on their short side, CogVideoX's
 * 480 among them), unrolled: sample i averages the source's pixels 2i − 1 and 2i (mirrored at 0).
 */
function halve(g: Uint8Array, width: number, height: number): SsimImage {
  const ow = Math.ceil(width / 2);
  const oh = Math.ceil(height / 2);
  const out = new Uint8Array(ow * oh);
  for (let oy = 0; oy < oh; oy++) {
    const r1 = 2 * oy * width;
    const r0 = oy === 0 ? r1 : r1 - width;
    const o = oy * ow;
    out[o] = (2 * (g[r0] + g[r1]) + 2) >> 2;
    for (let ox = 1, c = 1; ox < ow; ox++, c += 2) {
      out[o + ox] = (g[r0 + c] + g[r0 + c + 1] + g[r1 + c] + g[r1 + c + 1] + 2) >> 2;
    }
  }
  return { data: out, width: ow, height: oh };
}

const SSIM_WINDOW = 11;
const SSIM_N = SSIM_WINDOW * SSIM_WINDOW;
// As ssim.js writes them (k·L·(k·L)), so the constants are its bits.
const SSIM_C1 = 0.01 * 255 * (0.01 * 255);
const SSIM_C2 = 0.03 * 255 * (0.03 * 255);

/**
 * Summed-area tables (float64, exact: integers far below 2^53) of a grey image's values and their
 * squares, each (width + 1) × (height + 1) with a zero first row and column; with `b`, also of the
 * products with b's values.
 */
function summedAreas(
  width: number,
  height: number,
  a: Uint8Array,
  s: Float64Array,
  q: Float64Array,
  b?: Uint8Array,
  x?: Float64Array,
): void {
  const W = width + 1;
  for (let y = 0; y < height; y++) {
    const i0 = y * width;
    const t0 = (y + 1) * W + 1;
    const u0 = y * W + 1;
    let rs = 0;
    let rq = 0;
    for (let c = 0; c < width; c++) {
      const v = a[i0 + c];
      rs += v;
      rq += v * v;
      s[t0 + c] = s[u0 + c] + rs;
      q[t0 + c] = q[u0 + c] + rq;
    }
    if (b && x) {
      let rx = 0;
      for (let c = 0; c < width; c++) {
        rx += a[i0 + c] * b[i0 + c];
        x[t0 + c] = x[u0 + c] + rx;
      }
    }
  }
}

/** Sum over the SSIM window whose top-left pixel is (cx, cy), from a summed-area table. */
function windowSum(t: Float64Array, W: number, cx: number, cy: number): number {
  const top = cy * W + cx;
  const bottom = (cy + SSIM_WINDOW) * W + cx;
  return t[bottom + SSIM_WINDOW] - t[top + SSIM_WINDOW] - t[bottom] + t[top];
}

/** ssim.js' window variance, 1024 × (E[x²] − E[x]²) stored in an Int32Array (ToInt32). */
function variance1024(sum: number, squares: number): number {
  const mean = sum / SSIM_N;
  return (1024 * (squares / SSIM_N - mean * mean)) | 0;
}

/**
 * Mean SSIM against one fixed image (the source), with that image's window statistics computed
 * once rather than for every frame. The arithmetic is ssim.js' "weber" SSIM (Wang et al. 2004 with
 * an 11×11 box window, k1 0.01, k2 0.03), step for step: the same window sums, the same truncation
 * of the (co)variances to 1/1024, the same running mean, so with toSsimImage the values are
 * ssim.js' (default options) to the last bit (tested against it), at a fraction of its cost.
 */
export class SsimReference {
  private readonly sums: Float64Array;
  private readonly variance: Int32Array;
  private readonly tables: { s: Float64Array; q: Float64Array; x: Float64Array };

  constructor(readonly image: SsimImage) {
    const { width, height } = image;
    if (width < SSIM_WINDOW || height < SSIM_WINDOW) {
      throw new Error(`SSIM needs at least ${SSIM_WINDOW}x${SSIM_WINDOW} pixels, got ${width}x${height}`);
    }
    const size = (width + 1) * (height + 1);
    // Reused by every compare (each runs to completion on its thread).
    this.tables = { s: new Float64Array(size), q: new Float64Array(size), x: new Float64Array(size) };
    summedAreas(width, height, image.data, this.tables.s, this.tables.q);
    const ww = width - SSIM_WINDOW + 1;
    const wh = height - SSIM_WINDOW + 1;
    this.sums = new Float64Array(ww * wh);
    this.variance = new Int32Array(ww * wh);
    const W = width + 1;
    for (let cy = 0, i = 0; cy < wh; cy++) {
      for (let cx = 0; cx < ww; cx++, i++) {
        this.sums[i] = windowSum(this.tables.s, W, cx, cy);
        this.variance[i] = variance1024(this.sums[i], windowSum(this.tables.q, W, cx, cy));
      }
    }
  }

  /** Mean SSIM of `other` (same shape, from toSsimImage) against the reference image. */
  compare(other: SsimImage): number {
    const { width, height } = other;
    if (width !== this.image.width || height !== this.image.height) {
      throw new Error(
        `images differ in shape: ${this.image.width}x${this.image.height} vs ${width}x${height}`,
      );
    }
    const { s, q, x } = this.tables;
    summedAreas(width, height, other.data, s, q, this.image.data, x);
    const W = width + 1;
    const ww = width - SSIM_WINDOW + 1;
    const wh = height - SSIM_WINDOW + 1;
    const sums1 = this.sums;
    const var1 = this.variance;
    let mssim = 0;
    for (let cy = 0, i = 0; cy < wh; cy++) {
      for (let cx = 0; cx < ww; cx++, i++) {
        const sum2 = windowSum(s, W, cx, cy);
        const var2 = variance1024(sum2, windowSum(q, W, cx, cy));
        // ssim.js stores the covariance in an Int32Array too: truncated like the variances.
        const cov1024 =
          (1024 * (windowSum(x, W, cx, cy) / SSIM_N - (sums1[i] / SSIM_N) * (sum2 / SSIM_N))) | 0;
        const meanx = sums1[i] / SSIM_N;
        const meany = sum2 / SSIM_N;
        const varx = var1[i] / 1024;
        const vary = var2 / 1024;
        const cov = cov1024 / 1024;
        const value =
          ((2 * meanx * meany + SSIM_C1) * (2 * cov + SSIM_C2)) /
          (meanx * meanx + meany * meany + SSIM_C1) /
          (varx + vary + SSIM_C2);
        mssim = i === 0 ? value : mssim + (value - mssim) / (i + 1);
      }
    }
    return mssim;
  }
}

/**
 * Mean SSIM (Wang et al. 2004; ssim.js' "weber" variant with its default options, see
 * toSsimImage and SsimReference) of two RGBA images of the same shape, in [−1, 1]. Measuring many
 * frames against one image: use an SsimReference.
 */
export function meanSsim(a: RawImage, b: RawImage): number {
  assertSameShape(a, b);
  return new SsimReference(toSsimImage(a)).compare(toSsimImage(b));
}
