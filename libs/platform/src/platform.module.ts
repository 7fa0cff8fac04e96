import { systemClock, type Logger } from '@f2f/common';
import { createPrismaClient, type PrismaClient } from '@f2f/database';
import { createKafka, ensureTopics, EventConsumer, OutboxRelay, OutboxWriter } from '@f2f/messaging';
import { FilesystemBlobStore } from '@f2f/storage';
import {
  Controller,
  type DynamicModule,
  Get,
  Global,
  Inject,
  Injectable,
  Module,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { type Kafka, Partitioners, type Producer } from 'kafkajs';

import type { PlatformConfig } from './service-config';
import { BLOB_STORE, CLOCK, KAFKA, KAFKA_PRODUCER, LOGGER, PLATFORM_CONFIG, PRISMA } from './tokens';

/** Starts the shared adapters once every module has registered its handlers, stops them in reverse. */
@Injectable()
export class PlatformLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  private ready = false;

  constructor(
    @Inject(PLATFORM_CONFIG) private readonly config: PlatformConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(KAFKA) private readonly kafka: Kafka,
    @Inject(KAFKA_PRODUCER) private readonly producer: Producer,
    @Inject(PRISMA) private readonly prisma: PrismaClient,
    private readonly relay: OutboxRelay,
    private readonly consumer: EventConsumer,
  ) {}

  get isReady(): boolean {
    return this.ready;
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.prisma.$queryRaw`SELECT 1`;
    await ensureTopics(this.kafka, this.config.topicPrefix);
    await this.producer.connect();
    await this.relay.start();
    await this.consumer.start();
    this.ready = true;
    this.logger.info({ topicPrefix: this.config.topicPrefix }, 'service ready');
  }

  async onApplicationShutdown(signal?: string): Promise<void> {
    this.ready = false;
    this.logger.info({ signal }, 'shutting down');
    await this.consumer.stop().catch((err: unknown) => this.logger.warn({ err }, 'consumer stop failed'));
    await this.relay.stop();
    await this.relay.flush().catch((err: unknown) => this.logger.warn({ err }, 'final outbox flush failed'));
    await this.producer.disconnect();
    await this.prisma.$disconnect();
  }
}

@Controller()
export class HealthController {
  constructor(private readonly lifecycle: PlatformLifecycle) {}

  @Get('health')
  health(): { status: string } {
    return { status: this.lifecycle.isReady ? 'ok' : 'starting' };
  }
}

@Global()
@Module({})
export class PlatformModule {
  static forRoot(config: PlatformConfig, logger: Logger): DynamicModule {
    return {
      module: PlatformModule,
      controllers: [HealthController],
      providers: [
        { provide: PLATFORM_CONFIG, useValue: config },
        { provide: LOGGER, useValue: logger },
        { provide: CLOCK, useValue: systemClock },
        {
          provide: PRISMA,
          useFactory: () =>
            createPrismaClient({
              url: config.databaseUrl,
              poolSize: config.dbPoolSize,
              applicationName: config.serviceName,
            }),
        },
        {
          provide: KAFKA,
          useFactory: () =>
            createKafka({
              clientId: config.serviceName,
              brokers: config.kafkaBrokers,
              topicPrefix: config.topicPrefix,
              logger,
            }),
        },
        {
          provide: KAFKA_PRODUCER,
          useFactory: (kafka: Kafka) =>
            kafka.producer({
              allowAutoTopicCreation: false,
              createPartitioner: Partitioners.DefaultPartitioner,
            }),
          inject: [KAFKA],
        },
        { provide: BLOB_STORE, useFactory: () => new FilesystemBlobStore(config.blobDir) },
        {
          provide: OutboxRelay,
          useFactory: (prisma: PrismaClient, producer: Producer) =>
            new OutboxRelay(prisma, producer, logger.child({ component: 'outbox' }), {
              producerName: config.serviceName,
              listenUrl: config.databaseUrl,
            }),
          inject: [PRISMA, KAFKA_PRODUCER],
        },
        {
          provide: OutboxWriter,
          useFactory: () => new OutboxWriter(config.serviceName, config.topicPrefix),
        },
        {
          provide: EventConsumer,
          useFactory: (kafka: Kafka, producer: Producer, prisma: PrismaClient, outbox: OutboxWriter) =>
            new EventConsumer(kafka, producer, prisma, outbox, logger.child({ component: 'consumer' }), {
              consumerName: config.serviceName,
              topicPrefix: config.topicPrefix,
              maxAttempts: config.consumerMaxAttempts,
            }),
          inject: [KAFKA, KAFKA_PRODUCER, PRISMA, OutboxWriter],
        },
        PlatformLifecycle,
      ],
      exports: [
        PLATFORM_CONFIG,
        LOGGER,
        CLOCK,
        PRISMA,
        KAFKA,
        KAFKA_PRODUCER,
        BLOB_STORE,
        OutboxWriter,
        OutboxRelay,
        EventConsumer,
      ],
    };
  }
}
