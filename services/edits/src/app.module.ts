import path from 'node:path';

import type { Logger } from '@f2f/common';
import { DEFAULT_TENANT_ID } from '@f2f/database';
import { PlatformModule, platformConfigFrom, subgraphModule } from '@f2f/platform';
import { type DynamicModule, Injectable, Module, type OnModuleInit } from '@nestjs/common';

import { CancelEditUseCase } from './cancel-edit/cancel-edit.use-case';
import type { EditsConfig } from './config';
import { CreateEditUseCase, EDIT_LIMITS } from './create-edit/create-edit.use-case';
import { EditsResolver, FrameResolver } from './graphql/edits.resolver';
import { AnalyticsRepository } from './persistence/analytics.repository';
import { EditsRepository } from './persistence/edits.repository';
import { SelectFrameUseCase } from './select-frame/select-frame.use-case';
import { RecordStageEventUseCase } from './stage-events/record-stage-event.use-case';
import { StageEventsHandler } from './stage-events/stage-events.handler';

export const EDITS_SDL = path.resolve(__dirname, '../src/graphql/edits.graphql');

/** Until API keys map callers to tenants, local runs use one default tenant. */
@Injectable()
class DefaultTenantSeeder implements OnModuleInit {
  constructor(private readonly edits: EditsRepository) {}
  async onModuleInit(): Promise<void> {
    await this.edits.ensureTenant(DEFAULT_TENANT_ID, 'Default tenant');
  }
}

@Module({})
export class AppModule {
  static forRoot(config: EditsConfig, logger: Logger): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PlatformModule.forRoot(platformConfigFrom('edits', config), logger),
        subgraphModule([EDITS_SDL], logger),
      ],
      providers: [
        {
          provide: EDIT_LIMITS,
          useValue: {
            maxImageBytes: config.MAX_IMAGE_BYTES,
            maxImagePixels: config.MAX_IMAGE_PIXELS,
            maxCaptionLength: config.MAX_CAPTION_LENGTH,
            defaultModel: config.DEFAULT_MODEL,
          },
        },
        EditsRepository,
        AnalyticsRepository,
        CreateEditUseCase,
        CancelEditUseCase,
        SelectFrameUseCase,
        RecordStageEventUseCase,
        StageEventsHandler,
        EditsResolver,
        FrameResolver,
        DefaultTenantSeeder,
      ],
    };
  }
}
