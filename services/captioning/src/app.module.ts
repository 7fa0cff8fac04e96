import type { Logger } from '@f2f/common';
import { PlatformModule, platformConfigFrom } from '@f2f/platform';
import { OpenAiCompatibleVlm, VLM, vlmConfigFrom } from '@f2f/vlm';
import { type DynamicModule, Module } from '@nestjs/common';

import { EditRequestedHandler } from './caption/edit-requested.handler';
import { WriteTemporalCaptionUseCase } from './caption/write-temporal-caption.use-case';
import type { CaptioningConfig } from './config';

@Module({})
export class AppModule {
  static forRoot(config: CaptioningConfig, logger: Logger): DynamicModule {
    const vlm = vlmConfigFrom(config);
    if (!vlm)
      logger.warn('no VLM configured (VLM_BASE_URL): temporal captions come from the documented template');
    return {
      module: AppModule,
      imports: [PlatformModule.forRoot(platformConfigFrom('captioning', config), logger)],
      providers: [
        { provide: VLM, useValue: vlm ? new OpenAiCompatibleVlm(vlm) : null },
        WriteTemporalCaptionUseCase,
        EditRequestedHandler,
      ],
    };
  }
}
