import { encodeFrame, type FrameEncoding } from '@f2f/imaging';
import sharp from 'sharp';
import { ssim } from 'ssim.js';

/** One frame stored one way: its bytes beside the lossless PNG's, its SSIM to it, its encode CPU time. */
export interface FrameSample {
  pngBytes: number;
  bytes: number;
  ssim: number;
  encodeMs: number;
}

async function rgba(image: Buffer): Promise<{ data: Uint8ClampedArray; width: number; height: number }> {
  const { data, info } = await sharp(image).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return {
    data: new Uint8ClampedArray(data.buffer, data.byteOffset, data.length),
    width: info.width,
    height: info.height,
  };
}

/** SSIM (ssim.js's defaults: Weber's fast algorithm on 11×11 windows) of two images of one size. */
export async function ssimOf(reference: Buffer, candidate: Buffer): Promise<number> {
  const [a, b] = await Promise.all([rgba(reference), rgba(candidate)]);
  if (a.width !== b.width || a.height !== b.height)
    throw new Error(`SSIM of ${a.width}×${a.height} against ${b.width}×${b.height}`);
  return ssim(a, b).mssim;
}

/**
 * A lossless frame (PNG as the platform writes it) encoded as `encoding` the way video-generation
 * does (encodeFrame), its CPU time taken, and decoded again to compare with the lossless pixels.
 */
export async function sampleFrame(lossless: Buffer, encoding: FrameEncoding): Promise<FrameSample> {
  // CPU time (every thread of the process: libvips encodes on its own threads), not wall time: on a
  // shared machine the wall time measures the neighbours; the CPU time is what a replica's core pays.
  const started = process.cpuUsage();
  const encoded = await encodeFrame(lossless, encoding);
  const used = process.cpuUsage(started);
  const encodeMs = (used.user + used.system) / 1000;
  return {
    pngBytes: lossless.length,
    bytes: encoded.length,
    ssim: encoding.format === 'png' ? 1 : await ssimOf(lossless, encoded),
    encodeMs,
  };
}
