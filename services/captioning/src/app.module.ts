import type { Logger } from '@f2f/common';
import { PlatformModule, platformConfigFrom } from '@f2f/platform';
import { type DynamicModule, Module } from '@nestjs/common';

import { EditRequestedHandler } from './caption/edit-requested.handler';
import { WriteTemporalCaptionUseCase } from './caption/write-temporal-caption.use-case';
import type { CaptioningConfig } from './config';

@Module({})
export class AppModule {
  static forRoot(config: CaptioningConfig, logger: Logger): DynamicModule {
    return {
      module: AppModule,
      imports: [PlatformModule.forRoot(platformConfigFrom('captioning', config), logger)],
      providers: [WriteTemporalCaptionUseCase, EditRequestedHandler],
    };
  }
}
