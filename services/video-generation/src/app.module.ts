import { createDatabase } from './database';
import { randomUUID } from 'node:crypto';

import type { Logger } from '@f2f/common';
import type { PrismaClient } from './database';
import { EventConsumer, OutboxWriter } from '@f2f/messaging';
import {
  KAFKA,
  KAFKA_PRODUCER,
  PlatformLifecycle,
  PlatformModule,
  platformConfigFrom,
  PRISMA,
} from '@f2f/platform';
import {
  type DynamicModule,
  Inject,
  Injectable,
  Module,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import type { Kafka, Producer } from 'kafkajs';

import { frameEncodingOf, type VideoGenerationConfig } from './config';
import { CaptionCompletedHandler } from './generation/caption-completed.handler';
import { CANCELLED_EDITS, PrismaCancelledEditsRepository } from './generation/cancelled-edits.repository';
import {
  BROADCAST_CONSUMER,
  EditStatusBroadcastHandler,
  EditStatusHandler,
} from './generation/edit-status.handler';
import { parseEndpoints } from './generation/endpoints';
import { GenerateVideoUseCase } from './generation/generate-video.use-case';
import { OUTBOX_REPOSITORY, PrismaOutboxRepository } from './generation/outbox.repository';
import { RecordCancellationUseCase } from './generation/record-cancellation.use-case';
import { RunningGenerations } from './generation/running-generations';
import { VIDEO_GENERATION_SETTINGS } from './generation/settings';
import { VIDEO_GENERATOR, WorkerPool } from './generation/worker-pool';

@Injectable()
class GeneratorLifecycle implements OnModuleInit, OnApplicationShutdown {
  constructor(
    @Inject(VIDEO_GENERATOR) private readonly pool: WorkerPool,
    private readonly lifecycle: PlatformLifecycle,
  ) {}

  /** Ready only with at least one GPU worker to send generations to. */
  onModuleInit(): void {
    this.lifecycle.addReadinessCheck('gpuPool', async () => {
      const workers = await this.pool.workerCount();
      if (workers === 0) throw new Error('no GPU worker');
      return `${workers} worker(s)`;
    });
  }

  /** After the consumer finished the generation in hand (PlatformLifecycle.beforeApplicationShutdown). */
  onApplicationShutdown(): void {
    this.pool.close();
  }
}

@Module({})
export class AppModule {
  static forRoot(config: VideoGenerationConfig, logger: Logger): DynamicModule {
    const platform = platformConfigFrom('video-generation', config);
    return {
      module: AppModule,
      imports: [PlatformModule.forRoot(platform, logger, createDatabase)],
      providers: [
        {
          provide: VIDEO_GENERATOR,
          useFactory: () =>
            new WorkerPool(parseEndpoints(config.GENERATOR_ADDRESSES), {
              maxWorkerFailures: config.MAX_WORKER_FAILURES,
              coolDownMs: config.WORKER_COOL_DOWN_MS,
              busyRetryMs: config.WORKER_BUSY_RETRY_MS,
            }),
        },
        {
          provide: VIDEO_GENERATION_SETTINGS,
          useValue: {
            deadlineMs: config.GENERATION_DEADLINE_MS,
            progressMinIntervalMs: config.PROGRESS_MIN_INTERVAL_MS,
            frameEncoding: frameEncodingOf(config),
            framesInFlight: config.FRAMES_IN_FLIGHT,
          },
        },
        {
          provide: CANCELLED_EDITS,
          useFactory: (prisma: PrismaClient) => new PrismaCancelledEditsRepository(prisma),
          inject: [PRISMA],
        },
        {
          provide: OUTBOX_REPOSITORY,
          useFactory: (prisma: PrismaClient, outbox: OutboxWriter) =>
            new PrismaOutboxRepository(prisma, outbox),
          inject: [PRISMA, OutboxWriter],
        },
        {
          // Every replica follows edit.status in a consumer group of its own (a broadcast).
          provide: BROADCAST_CONSUMER,
          useFactory: (kafka: Kafka, producer: Producer, prisma: PrismaClient, outbox: OutboxWriter) =>
            new EventConsumer(kafka, producer, prisma, outbox, logger.child({ component: 'cancellations' }), {
              consumerName: 'video-generation-cancellations',
              topicPrefix: platform.topicPrefix,
              groupId: `${platform.topicPrefix}video-generation-cancellations-${randomUUID()}`,
              fromBeginning: false,
            }),
          inject: [KAFKA, KAFKA_PRODUCER, PRISMA, OutboxWriter],
        },
        RunningGenerations,
        GenerateVideoUseCase,
        RecordCancellationUseCase,
        CaptionCompletedHandler,
        EditStatusHandler,
        EditStatusBroadcastHandler,
        GeneratorLifecycle,
      ],
    };
  }
}
