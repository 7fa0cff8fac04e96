import { existsSync } from 'node:fs';
import path from 'node:path';

import { DomainError, ErrorCode } from '@f2f/common';
import { Piscina } from 'piscina';
import { z } from 'zod';

import { type ImageInfo, type ImageLimits, precheckImage } from './inspect';
import type { InspectResult, InspectTask } from './inspect.worker';

export interface ImageInspectorSettings {
  /** Worker threads that decode images (IMAGE_INSPECT_THREADS). */
  threads: number;
  /** Longest an inspection may take, queueing included (IMAGE_INSPECT_TIMEOUT_MS). */
  timeoutMs: number;
  /** JavaScript heap of each worker thread, in MiB (IMAGE_INSPECT_HEAP_MB). */
  maxHeapMb: number;
}

/** The settings of a service's ImageInspector, validated with the rest of its configuration. */
export const imageInspectionConfigShape = {
  /** Worker threads that decode the images clients send (1..4). */
  IMAGE_INSPECT_THREADS: z.coerce.number().int().min(1).max(4).default(1),
  /** An image whose inspection takes longer is refused (INVALID_IMAGE) and its thread replaced. */
  IMAGE_INSPECT_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  /** JavaScript heap limit of each inspection thread, MiB (pixels are bounded by the pixel limit). */
  IMAGE_INSPECT_HEAP_MB: z.coerce.number().int().min(16).max(1024).default(64),
};

export const imageInspectorSettings = (config: {
  IMAGE_INSPECT_THREADS: number;
  IMAGE_INSPECT_TIMEOUT_MS: number;
  IMAGE_INSPECT_HEAP_MB: number;
}): ImageInspectorSettings => ({
  threads: config.IMAGE_INSPECT_THREADS,
  timeoutMs: config.IMAGE_INSPECT_TIMEOUT_MS,
  maxHeapMb: config.IMAGE_INSPECT_HEAP_MB,
});

/**
 * The compiled worker: beside this file in dist/, or (tests run the sources) in the built dist/.
 * Needs `nx run @f2f/imaging:build` before tests that run the sources.
 */
function defaultWorkerFile(): string {
  const beside = path.join(__dirname, 'inspect.worker.js');
  return existsSync(beside) ? beside : path.resolve(__dirname, '../dist/inspect.worker.js');
}

/**
 * The one inspection of every image that enters the platform. The cheap checks (size, magic bytes)
 * run in the caller's thread, so an SVG or any other format is refused before a decoder sees it;
 * the header and the full decode run in a small pool of worker threads (piscina), so a hostile
 * image never blocks the event loop. An inspection over the time limit is aborted (its thread is
 * terminated and replaced) and answered INVALID_IMAGE; libvips also stops after the limit.
 */
export class ImageInspector {
  private readonly pool: Piscina<InspectTask, InspectResult>;

  constructor(
    private readonly settings: ImageInspectorSettings,
    workerFile = defaultWorkerFile(),
  ) {
    this.pool = new Piscina({
      filename: workerFile,
      minThreads: 1,
      maxThreads: settings.threads,
      concurrentTasksPerWorker: 1,
      resourceLimits: {
        maxOldGenerationSizeMb: settings.maxHeapMb,
        maxYoungGenerationSizeMb: Math.max(4, Math.floor(settings.maxHeapMb / 8)),
      },
    });
  }

  async inspect(data: Buffer, limits: ImageLimits, label = 'the image'): Promise<ImageInfo> {
    precheckImage(data, limits, label);
    const { timeoutMs } = this.settings;
    const signal = AbortSignal.timeout(timeoutMs);
    let result: InspectResult;
    try {
      result = await this.pool.run(
        { data, limits, label, timeoutSeconds: Math.max(1, Math.ceil(timeoutMs / 1000)) },
        { signal },
      );
    } catch (error) {
      if (signal.aborted) {
        throw new DomainError(
          ErrorCode.InvalidImage,
          `${label} took longer than ${timeoutMs} ms to decode; send a smaller or simpler image`,
          { reason: 'timeout', timeoutMs },
        );
      }
      if ((error as { code?: string }).code === 'ERR_WORKER_OUT_OF_MEMORY') {
        throw new DomainError(ErrorCode.InvalidImage, `${label} needs too much memory to decode`, {
          reason: 'memory',
        });
      }
      throw error;
    }
    if ('error' in result)
      throw new DomainError(result.error.code, result.error.message, result.error.details);
    return result.info;
  }

  close(): Promise<void> {
    return this.pool.close({ force: true });
  }

  /** Nest calls this when the module holding the inspector stops. */
  onModuleDestroy(): Promise<void> {
    return this.close();
  }
}
