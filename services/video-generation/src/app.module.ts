import { createDatabase } from './database';
import type { Logger } from '@f2f/common';
import { PlatformModule, platformConfigFrom } from '@f2f/platform';
import { type DynamicModule, Inject, Injectable, Module, type OnApplicationShutdown } from '@nestjs/common';

import type { VideoGenerationConfig } from './config';
import { RunningGenerations } from './generation/cancellations';
import { CaptionCompletedHandler } from './generation/caption-completed.handler';
import { EditCancelledHandler } from './generation/edit-cancelled.handler';
import { parseEndpoints } from './generation/endpoints';
import { GenerateVideoUseCase } from './generation/generate-video.use-case';
import { VIDEO_GENERATION_SETTINGS } from './generation/settings';
import { VIDEO_GENERATOR, WorkerPool } from './generation/worker-pool';

@Injectable()
class GeneratorLifecycle implements OnApplicationShutdown {
  constructor(@Inject(VIDEO_GENERATOR) private readonly pool: WorkerPool) {}
  onApplicationShutdown(): void {
    this.pool.close();
  }
}

@Module({})
export class AppModule {
  static forRoot(config: VideoGenerationConfig, logger: Logger): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PlatformModule.forRoot(platformConfigFrom('video-generation', config), logger, createDatabase),
      ],
      providers: [
        {
          provide: VIDEO_GENERATOR,
          useFactory: () =>
            new WorkerPool(parseEndpoints(config.GENERATOR_ADDRESSES), {
              maxWorkerFailures: config.MAX_WORKER_FAILURES,
              coolDownMs: config.WORKER_COOL_DOWN_MS,
              busyRetryMs: config.WORKER_BUSY_RETRY_MS,
            }),
        },
        {
          provide: VIDEO_GENERATION_SETTINGS,
          useValue: {
            deadlineMs: config.GENERATION_DEADLINE_MS,
            progressMinIntervalMs: config.PROGRESS_MIN_INTERVAL_MS,
          },
        },
        RunningGenerations,
        GenerateVideoUseCase,
        CaptionCompletedHandler,
        EditCancelledHandler,
        GeneratorLifecycle,
      ],
    };
  }
}
