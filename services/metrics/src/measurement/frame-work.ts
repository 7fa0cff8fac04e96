import path from 'node:path';

import { decodeRgba, type RawImage } from '@f2f/imaging';
import { type PreparedImage, prepareImage } from '@f2f/learned-metrics';
import { Piscina } from 'piscina';

import { psnr, type SsimImage, SsimReference, toSsimImage } from './pixel-metrics';

/** What every frame of one edit is compared with, in shared memory (no copy per frame or thread). */
export interface FrameReference {
  /** Names the reference (one per edit measured): threads keep its SSIM statistics under it. */
  key: string;
  /** The source letterboxed to the frames' size (PSNR). */
  pixels: RawImage;
  /** The same as SSIM compares it (grey, at its working scale: toSsimImage). */
  small: SsimImage;
}

/** One frame's work besides the networks: decode, the networks' preprocessing, SSIM, PSNR. */
export interface FrameTask {
  /** The encoded frame (PNG) as stored. */
  image: Uint8Array;
  width: number;
  height: number;
  /** LPIPS' input size of the loaded model set; null without learned metrics (nothing to prepare). */
  lpipsSize: number | null;
  reference: FrameReference;
}

export interface FrameResult {
  prepared: PreparedImage | null;
  ssim: number;
  psnr: number;
}

/** A copy of the image in a SharedArrayBuffer, which worker threads read without copying. */
export function shareImage<T extends { data: Uint8Array }>(image: T): T {
  const data = Buffer.from(new SharedArrayBuffer(image.data.length));
  data.set(image.data);
  return { ...image, data };
}

let cached: { key: string; ssim: SsimReference } | undefined;

/** The work itself, the same in the service's threads and in process (tests). */
export async function measureFrame(task: FrameTask): Promise<FrameResult> {
  const { reference } = task;
  if (cached?.key !== reference.key)
    cached = { key: reference.key, ssim: new SsimReference(reference.small) };
  const pixels = await decodeRgba(
    Buffer.from(task.image.buffer, task.image.byteOffset, task.image.length),
    task.width,
    task.height,
  );
  return {
    prepared: task.lpipsSize === null ? null : prepareImage(pixels, task.lpipsSize),
    ssim: cached.ssim.compare(toSsimImage(pixels)),
    psnr: psnr(reference.pixels, pixels),
  };
}

/** Where frame work runs: worker threads in the service, or this thread. */
export interface FrameWork {
  run(task: FrameTask): Promise<FrameResult>;
  close(): Promise<void>;
}

export const FRAME_WORK = Symbol('FrameWork');

/** In this thread (tests, and METRIC_FRAME_THREADS=0). */
export class InProcessFrameWork implements FrameWork {
  run(task: FrameTask): Promise<FrameResult> {
    return measureFrame(task);
  }

  async close(): Promise<void> {}
}

/**
 * A pool of worker threads (piscina) running measureFrame. ONNX Runtime runs synchronously on the
 * main thread, so while frames are decoded and prepared both cores work on them, and while the
 * networks run the workers are idle: the two phases never compete for the CPU.
 */
export class ThreadedFrameWork implements FrameWork {
  private readonly pool: Piscina<FrameTask, FrameResult>;

  /** `workerFile`: the compiled worker module (tests, which run the sources, pass the built one). */
  constructor(threads: number, workerFile = path.join(__dirname, 'frame-work.worker.js')) {
    this.pool = new Piscina({
      filename: workerFile,
      minThreads: threads,
      maxThreads: threads,
      idleTimeout: Number.POSITIVE_INFINITY,
      // Two frames per thread: one decodes (libvips, off the thread) while the other's JS runs.
      concurrentTasksPerWorker: 2,
    });
  }

  run(task: FrameTask): Promise<FrameResult> {
    return this.pool.run(task);
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}
