import { createDatabase } from './database';
import path from 'node:path';

import type { Logger } from '@f2f/common';
import {
  PlatformModule,
  PRISMA,
  platformConfigFrom,
  SIGNED_URLS,
  SignedUrls,
  subgraphModule,
} from '@f2f/platform';
import type { PrismaClient } from './database';
import { ImageInspector, imageInspectorSettings } from '@f2f/imaging';
import { OutboxWriter } from '@f2f/messaging';
import { type DynamicModule, Module } from '@nestjs/common';

import { CancelEditUseCase } from './cancel-edit/cancel-edit.use-case';
import type { EditsConfig } from './config';
import { CreateEditUseCase, EDIT_LIMITS } from './create-edit/create-edit.use-case';
import { EditsResolver, FrameResolver } from './graphql/edits.resolver';
import { EDIT_HISTORY } from './history/edit-history';
import { EditGauges } from './operations/edit-gauges';
import { EditGaugesRepository } from './operations/edit-gauges.repository';
import { PrismaEditHistory } from './history/edit-history.repository';
import { ANALYTICS_STATEMENT_TIMEOUT_MS, AnalyticsRepository } from './persistence/analytics.repository';
import { EDITS_REPOSITORY } from './persistence/edits';
import { PrismaEditsRepository } from './persistence/edits.repository';
import { FRAMES_REPOSITORY } from './persistence/frames';
import { PrismaFramesRepository } from './persistence/frames.repository';
import { TRANSACTIONS } from './persistence/transactions';
import { PrismaTransactions } from './persistence/transactions.repository';
import { RechooseFrameUseCase } from './rechoose-frame/rechoose-frame.use-case';
import { LOSSLESS_SETTINGS, LosslessFrames } from './lossless-frames/lossless-frames';
import { LosslessSweeper } from './lossless-frames/lossless-sweeper';
import { RecordStageEventUseCase } from './stage-events/record-stage-event.use-case';
import { StageEventsHandler } from './stage-events/stage-events.handler';
import { ApiKeysRepository } from './tenancy/api-keys.repository';
import { ApiKeysService } from './tenancy/api-keys.service';
import { InternalApiKeysController, TENANT_CONTEXT_SECRET } from './tenancy/internal-api-keys.controller';
import { TenancyResolver, ViewerResolver } from './tenancy/tenancy.resolver';
import { FfmpegEncoder } from './path-videos/ffmpeg-encoder';
import { MakePathVideosUseCase, VIDEO_ENCODER } from './path-videos/make-path-videos.use-case';
import { PathVideoResolver } from './path-videos/path-video.resolver';
import { PathVideoWorker } from './path-videos/path-video.worker';
import { PathVideosRepository } from './path-videos/path-videos.repository';
import { CreateUploadUseCase } from './uploads/create-upload/create-upload.use-case';
import { ReceiveUploadUseCase } from './uploads/receive-upload/receive-upload.use-case';
import { ServeFileUseCase } from './uploads/serve-file/serve-file.use-case';
import { SweepUploadsUseCase } from './uploads/sweep-uploads/sweep-uploads.use-case';
import { UploadSweeper } from './uploads/sweep-uploads/upload-sweeper';
import { TransfersController } from './uploads/transfers.controller';
import { UPLOAD_SETTINGS } from './uploads/upload-settings';
import { UploadsRepository } from './uploads/uploads.repository';
import { UploadsResolver } from './uploads/uploads.resolver';

export const EDITS_SDL = path.resolve(__dirname, '../src/graphql/edits.graphql');
export const TENANCY_SDL = path.resolve(__dirname, '../src/tenancy/tenancy.graphql');
export const UPLOADS_SDL = path.resolve(__dirname, '../src/uploads/uploads.graphql');

@Module({})
export class AppModule {
  static forRoot(config: EditsConfig, logger: Logger): DynamicModule {
    return {
      module: AppModule,
      controllers: [InternalApiKeysController, TransfersController],
      imports: [
        PlatformModule.forRoot(platformConfigFrom('edits', config), logger, createDatabase),
        subgraphModule([EDITS_SDL, TENANCY_SDL, UPLOADS_SDL], logger, {
          tenantContextSecret: config.TENANT_CONTEXT_SECRET,
        }),
      ],
      providers: [
        {
          provide: EDIT_LIMITS,
          useValue: {
            maxImageBytes: config.MAX_IMAGE_BYTES,
            maxImagePixels: config.MAX_IMAGE_PIXELS,
            maxCaptionLength: config.MAX_CAPTION_LENGTH,
            defaultModel: config.DEFAULT_MODEL,
            servedModels: config.SERVED_MODELS,
            maxUnfinishedEdits: config.MAX_UNFINISHED_EDITS_PER_TENANT,
          },
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
          provide: UPLOAD_SETTINGS,
          useValue: {
            ttlSeconds: config.UPLOAD_TTL_SECONDS,
            maxImageBytes: config.MAX_IMAGE_BYTES,
            maxImagePixels: config.MAX_IMAGE_PIXELS,
            secret: config.SIGNED_URL_SECRET,
            sweepIntervalSeconds: config.UPLOAD_SWEEP_INTERVAL_SECONDS,
            maxOpenUploadsPerTenant: config.MAX_OPEN_UPLOADS_PER_TENANT,
          },
        },
        // One small pool of threads inspects every image a client sends (uploads, createEdit).
        { provide: ImageInspector, useFactory: () => new ImageInspector(imageInspectorSettings(config)) },
        UploadsRepository,
        CreateUploadUseCase,
        ReceiveUploadUseCase,
        ServeFileUseCase,
        SweepUploadsUseCase,
        UploadSweeper,
        UploadsResolver,
        {
          provide: TRANSACTIONS,
          useFactory: (p: PrismaClient) => new PrismaTransactions(p),
          inject: [PRISMA],
        },
        {
          provide: EDITS_REPOSITORY,
          useFactory: (p: PrismaClient) => new PrismaEditsRepository(p),
          inject: [PRISMA],
        },
        {
          provide: EDIT_HISTORY,
          useFactory: (outbox: OutboxWriter) => new PrismaEditHistory(outbox),
          inject: [OutboxWriter],
        },
        { provide: FRAMES_REPOSITORY, useValue: new PrismaFramesRepository() },
        AnalyticsRepository,
        EditGaugesRepository,
        EditGauges,
        { provide: ANALYTICS_STATEMENT_TIMEOUT_MS, useValue: config.ANALYTICS_STATEMENT_TIMEOUT_MS },
        CreateEditUseCase,
        CancelEditUseCase,
        RechooseFrameUseCase,
        RecordStageEventUseCase,
        {
          provide: LOSSLESS_SETTINGS,
          useValue: {
            keptForMs: config.LOSSLESS_COPIES_KEPT_HOURS * 3_600_000,
            sweepIntervalSeconds: config.LOSSLESS_SWEEP_INTERVAL_SECONDS,
          },
        },
        LosslessFrames,
        LosslessSweeper,
        StageEventsHandler,
        EditsResolver,
        FrameResolver,
        { provide: TENANT_CONTEXT_SECRET, useValue: config.TENANT_CONTEXT_SECRET },
        {
          provide: ApiKeysRepository,
          useFactory: (prisma: PrismaClient) => new ApiKeysRepository(prisma),
          inject: [PRISMA],
        },
        {
          provide: ApiKeysService,
          useFactory: (keys: ApiKeysRepository) => new ApiKeysService(keys, config.MAX_API_KEYS_PER_TENANT),
          inject: [ApiKeysRepository],
        },
        TenancyResolver,
        ViewerResolver,
        // Path videos (Edit.pathVideoUrl): made by ffmpeg in the background, once per candidate.
        { provide: VIDEO_ENCODER, useFactory: () => new FfmpegEncoder(config.FFMPEG_PATH) },
        PathVideosRepository,
        MakePathVideosUseCase,
        PathVideoWorker,
        PathVideoResolver,
      ],
    };
  }
}
