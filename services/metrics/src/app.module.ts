import { createDatabase } from './database';
import path from 'node:path';

import type { Logger } from '@f2f/common';
import type { PrismaClient } from './database';
import { PlatformModule, platformConfigFrom, PRISMA, subgraphModule } from '@f2f/platform';
import { type DynamicModule, Module } from '@nestjs/common';

import type { MetricsConfig } from './config';
import { EditMetricsResolver } from './graphql/edit-metrics.resolver';
import { FrameMetricsResolver } from './graphql/frame-metrics.resolver';
import { ScoreImagesResolver } from './graphql/score-images.resolver';
import { FRAME_METRICS, PrismaFrameMetricsRepository } from './measurement/frame-metrics.repository';
import { learnedMetricsProviders } from './measurement/learned-metrics.provider';
import { FrameMeasurer } from './measurement/frame-measurer';
import { LandedFrames } from './measurement/landed-frames';
import { MeasureFramesUseCase } from './measurement/measure-frames.use-case';
import { MeasureLandedFramesUseCase } from './measurement/measure-landed-frames.use-case';
import { MEASURE_AS_THEY_LAND, VideoGeneratedHandler } from './measurement/video-generated.handler';
import { ScoreImagesUseCase } from './scoring/score-images.use-case';

/** The subgraph's SDL, read from the source tree (it is also what the supergraph is composed from). */
export const METRICS_SDL = path.resolve(__dirname, '../src/graphql/metrics.graphql');

@Module({})
export class AppModule {
  static forRoot(config: MetricsConfig, logger: Logger): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PlatformModule.forRoot(platformConfigFrom('metrics', config), logger, createDatabase),
        subgraphModule([METRICS_SDL], logger, { tenantContextSecret: config.TENANT_CONTEXT_SECRET }),
      ],
      providers: [
        ...learnedMetricsProviders(config, logger),
        {
          provide: FRAME_METRICS,
          useFactory: (prisma: PrismaClient) => new PrismaFrameMetricsRepository(prisma),
          inject: [PRISMA],
        },
        { provide: LandedFrames, useValue: new LandedFrames() },
        { provide: MEASURE_AS_THEY_LAND, useValue: config.MEASURE_FRAMES_AS_THEY_LAND },
        FrameMeasurer,
        MeasureFramesUseCase,
        MeasureLandedFramesUseCase,
        VideoGeneratedHandler,
        FrameMetricsResolver,
        EditMetricsResolver,
        ScoreImagesUseCase,
        ScoreImagesResolver,
      ],
    };
  }
}
