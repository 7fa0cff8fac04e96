import type { Logger } from '@f2f/common';
import { PlatformModule, platformConfigFrom } from '@f2f/platform';
import { OpenAiCompatibleVlm, VLM, vlmConfigFrom } from '@f2f/vlm';
import { type DynamicModule, Module } from '@nestjs/common';

import type { FrameSelectionConfig } from './config';
import { METRIC_POLICY } from './selection/metric-policy';
import { SelectFrameUseCase } from './selection/select-frame.use-case';
import { SelectionHandler } from './selection/selection.handler';

@Module({})
export class AppModule {
  static forRoot(config: FrameSelectionConfig, logger: Logger): DynamicModule {
    const vlm = vlmConfigFrom(config);
    if (!vlm)
      logger.warn('no VLM configured (VLM_BASE_URL): edits asking for VLM selection get the last frame');
    return {
      module: AppModule,
      imports: [PlatformModule.forRoot(platformConfigFrom('frame-selection', config), logger)],
      providers: [
        { provide: VLM, useValue: vlm ? new OpenAiCompatibleVlm(vlm) : null },
        {
          provide: METRIC_POLICY,
          useValue: {
            lpipsBound: config.METRIC_LPIPS_BOUND,
            plateauFraction: config.METRIC_PLATEAU_FRACTION,
            minGain: config.METRIC_MIN_GAIN,
          },
        },
        SelectFrameUseCase,
        SelectionHandler,
      ],
    };
  }
}
