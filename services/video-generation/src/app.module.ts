import type { Logger } from '@f2f/common';
import { PlatformModule, platformConfigFrom } from '@f2f/platform';
import { type DynamicModule, Inject, Injectable, Module, type OnApplicationShutdown } from '@nestjs/common';

import type { VideoGenerationConfig } from './config';
import { CaptionCompletedHandler } from './generation/caption-completed.handler';
import { GenerateVideoUseCase } from './generation/generate-video.use-case';
import { VIDEO_GENERATION_SETTINGS } from './generation/settings';
import { GrpcVideoGenerator, VIDEO_GENERATOR } from './generation/video-generator.client';

@Injectable()
class GeneratorLifecycle implements OnApplicationShutdown {
  constructor(@Inject(VIDEO_GENERATOR) private readonly generator: GrpcVideoGenerator) {}
  onApplicationShutdown(): void {
    this.generator.close();
  }
}

@Module({})
export class AppModule {
  static forRoot(config: VideoGenerationConfig, logger: Logger): DynamicModule {
    return {
      module: AppModule,
      imports: [PlatformModule.forRoot(platformConfigFrom('video-generation', config), logger)],
      providers: [
        { provide: VIDEO_GENERATOR, useFactory: () => new GrpcVideoGenerator(config.GENERATOR_ADDRESSES) },
        {
          provide: VIDEO_GENERATION_SETTINGS,
          useValue: {
            deadlineMs: config.GENERATION_DEADLINE_MS,
            progressMinIntervalMs: config.PROGRESS_MIN_INTERVAL_MS,
          },
        },
        GenerateVideoUseCase,
        CaptionCompletedHandler,
        GeneratorLifecycle,
      ],
    };
  }
}
