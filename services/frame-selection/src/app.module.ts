import { createDatabase } from './database';
import path from 'node:path';

import type { Logger } from '@f2f/common';
import type { PrismaClient } from './database';
import {
  PlatformModule,
  platformConfigFrom,
  PRISMA,
  SIGNED_URLS,
  SignedUrls,
  subgraphModule,
} from '@f2f/platform';
import { VLM, vlmDirectoryFrom } from '@f2f/vlm';
import { type DynamicModule, Module } from '@nestjs/common';

import type { FrameSelectionConfig } from './config';
import { SelectionDecisionResolver } from './graphql/selection-decision.resolver';
import { PrismaSelectionsRepository, SELECTIONS } from './persistence/selections.repository';
import { METRIC_POLICY } from './selection/metric-policy';
import { SelectFrameUseCase } from './selection/select-frame.use-case';
import { SelectionHandler } from './selection/selection.handler';

/** The subgraph's SDL, read from the source tree (it is also what the supergraph is composed from). */
export const FRAME_SELECTION_SDL = path.resolve(__dirname, '../src/graphql/frame-selection.graphql');

@Module({})
export class AppModule {
  static forRoot(config: FrameSelectionConfig, logger: Logger): DynamicModule {
    const vlms = vlmDirectoryFrom('frame-selection', config);
    if (!vlms.deploymentVlm)
      logger.warn('no VLM configured (VLM_BASE_URL): edits asking for VLM selection get the last frame');
    if (vlms.overriddenTenants.length > 0)
      logger.info({ tenants: vlms.overriddenTenants }, 'tenants with their own VLM configuration');
    return {
      module: AppModule,
      imports: [
        PlatformModule.forRoot(platformConfigFrom('frame-selection', config), logger, createDatabase),
        subgraphModule([FRAME_SELECTION_SDL], logger, {
          tenantContextSecret: config.TENANT_CONTEXT_SECRET,
        }),
      ],
      providers: [
        { provide: VLM, useValue: vlms },
        {
          provide: SELECTIONS,
          useFactory: (prisma: PrismaClient) => new PrismaSelectionsRepository(prisma),
          inject: [PRISMA],
        },
        {
          provide: SIGNED_URLS,
          useValue: new SignedUrls({
            secret: config.SIGNED_URL_SECRET,
            publicBaseUrl: config.PUBLIC_BASE_URL,
            ttlSeconds: config.SIGNED_URL_TTL_SECONDS,
          }),
        },
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
        SelectionDecisionResolver,
      ],
    };
  }
}
