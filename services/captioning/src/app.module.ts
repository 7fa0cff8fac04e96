import { createDatabase } from './database';
import path from 'node:path';

import type { Logger } from '@f2f/common';
import { ImageInspector, imageInspectorSettings } from '@f2f/imaging';
import type { PrismaClient } from './database';
import { PlatformModule, platformConfigFrom, PRISMA, subgraphModule } from '@f2f/platform';
import { VLM, vlmDirectoryFrom } from '@f2f/vlm';
import { type DynamicModule, Module } from '@nestjs/common';

import { EditRequestedHandler } from './caption/edit-requested.handler';
import { WriteTemporalCaptionUseCase } from './caption/write-temporal-caption.use-case';
import type { CaptioningConfig } from './config';
import { CAPTION_EXAMPLE_LIMITS, CaptionExamplesService } from './examples/caption-examples.service';
import { CaptionExamplesResolver, EditCaptionResolver } from './graphql/captioning.resolver';
import { CAPTION_EXAMPLES, PrismaCaptionExamplesRepository } from './persistence/caption-examples.repository';
import { CAPTIONS, PrismaCaptionsRepository } from './persistence/captions.repository';

/** The subgraph's SDL, read from the source tree (it is also what the supergraph is composed from). */
export const CAPTIONING_SDL = path.resolve(__dirname, '../src/graphql/captioning.graphql');

@Module({})
export class AppModule {
  static forRoot(config: CaptioningConfig, logger: Logger): DynamicModule {
    const vlms = vlmDirectoryFrom('captioning', config);
    if (!vlms.deploymentVlm)
      logger.warn('no VLM configured (VLM_BASE_URL): temporal captions come from the documented template');
    if (vlms.overriddenTenants.length > 0)
      logger.info({ tenants: vlms.overriddenTenants }, 'tenants with their own VLM configuration');
    return {
      module: AppModule,
      imports: [
        PlatformModule.forRoot(platformConfigFrom('captioning', config), logger, createDatabase),
        subgraphModule([CAPTIONING_SDL], logger, { tenantContextSecret: config.TENANT_CONTEXT_SECRET }),
      ],
      providers: [
        { provide: VLM, useValue: vlms },
        {
          provide: CAPTIONS,
          useFactory: (prisma: PrismaClient) => new PrismaCaptionsRepository(prisma),
          inject: [PRISMA],
        },
        {
          provide: CAPTION_EXAMPLES,
          useFactory: (prisma: PrismaClient) => new PrismaCaptionExamplesRepository(prisma),
          inject: [PRISMA],
        },
        {
          provide: CAPTION_EXAMPLE_LIMITS,
          useValue: {
            maxExamples: config.CAPTION_EXAMPLES_MAX,
            maxImageBytes: config.CAPTION_EXAMPLE_MAX_IMAGE_BYTES,
            maxImagePixels: config.CAPTION_EXAMPLE_MAX_IMAGE_PIXELS,
            builtinSet: config.CAPTION_EXAMPLE_SET,
          },
        },
        // Inspects the images of the tenants' caption examples (a small pool of threads).
        { provide: ImageInspector, useFactory: () => new ImageInspector(imageInspectorSettings(config)) },
        CaptionExamplesService,
        WriteTemporalCaptionUseCase,
        EditRequestedHandler,
        CaptionExamplesResolver,
        EditCaptionResolver,
      ],
    };
  }
}
