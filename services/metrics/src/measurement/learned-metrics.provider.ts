import type { Logger } from '@f2f/common';
import { LearnedMetrics } from '@f2f/learned-metrics';
import { Inject, Injectable, type OnApplicationShutdown, type Provider } from '@nestjs/common';

import type { MetricsConfig } from '../config';
import { FRAME_WORK, type FrameWork, InProcessFrameWork, ThreadedFrameWork } from './frame-work';

/** The learned metrics' networks (LearnedMetrics), or null when METRIC_MODELS_DIR is unset. */
export const LEARNED_METRICS = Symbol('LearnedMetrics');
export const MEASURE_OPTIONS = Symbol('MeasureOptions');

export interface MeasureOptions {
  batchSize: number;
  /** Pixels decoded at a time (METRIC_BATCH_PIXELS): large frames make smaller batches. */
  batchPixels?: number;
}

/** Frames per batch: batchSize, fewer when the frames are large, never under one. */
export function framesPerBatch(options: MeasureOptions, width: number, height: number): number {
  const byPixels = options.batchPixels ? Math.floor(options.batchPixels / (width * height)) : Infinity;
  return Math.max(1, Math.min(options.batchSize, byPixels));
}

/** Stops the frame work's threads when the service stops. */
@Injectable()
export class FrameWorkShutdown implements OnApplicationShutdown {
  constructor(@Inject(FRAME_WORK) private readonly frameWork: FrameWork) {}

  onApplicationShutdown(): Promise<void> {
    return this.frameWork.close();
  }
}

/** Loads and validates the model directory at start-up: a bad one stops the service with the reason. */
export function learnedMetricsProviders(config: MetricsConfig, logger: Logger): Provider[] {
  return [
    {
      provide: MEASURE_OPTIONS,
      useValue: {
        batchSize: config.METRIC_BATCH_SIZE,
        batchPixels: config.METRIC_BATCH_PIXELS,
      } satisfies MeasureOptions,
    },
    {
      provide: FRAME_WORK,
      useFactory: (): FrameWork =>
        config.METRIC_FRAME_THREADS > 0
          ? new ThreadedFrameWork(config.METRIC_FRAME_THREADS)
          : new InProcessFrameWork(),
    },
    FrameWorkShutdown,
    {
      provide: LEARNED_METRICS,
      useFactory: async (): Promise<LearnedMetrics | null> => {
        if (!config.METRIC_MODELS_DIR) {
          logger.warn(
            'METRIC_MODELS_DIR is not set: learned metrics (LPIPS, CLIP-I, CLIP score) are not computed ' +
              'and stay null; only SSIM and PSNR are measured',
          );
          return null;
        }
        const models = await LearnedMetrics.load({
          modelDir: config.METRIC_MODELS_DIR,
          threads: config.METRIC_THREADS,
          clipImagePrecision: config.METRIC_CLIP_IMAGE_PRECISION,
        });
        const { id, kind, weights, note } = models.manifest;
        const fields = {
          modelDir: config.METRIC_MODELS_DIR,
          modelId: models.modelId,
          setId: id,
          clipImagePrecision: models.clipImagePrecision,
          kind,
          weights,
          lpipsSize: models.lpipsSize,
        };
        if (weights === 'random') {
          logger.warn(
            fields,
            `learned metrics use RANDOM-WEIGHT models (${note}): their scores are meaningless`,
          );
        } else {
          logger.info(fields, 'learned metrics loaded');
        }
        return models;
      },
    },
  ];
}
