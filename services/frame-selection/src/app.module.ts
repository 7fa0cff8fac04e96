import type { Logger } from '@f2f/common';
import { PlatformModule, platformConfigFrom } from '@f2f/platform';
import { type DynamicModule, Module } from '@nestjs/common';

import { VideoGeneratedHandler } from './selection/video-generated.handler';
import { SelectFrameUseCase } from './selection/select-frame.use-case';
import type { FrameSelectionConfig } from './config';

@Module({})
export class AppModule {
  static forRoot(config: FrameSelectionConfig, logger: Logger): DynamicModule {
    return {
      module: AppModule,
      imports: [PlatformModule.forRoot(platformConfigFrom('frame-selection', config), logger)],
      providers: [SelectFrameUseCase, VideoGeneratedHandler],
    };
  }
}
