import { systemClock, type Logger } from '@f2f/common';
import type { ServiceDatabase } from '@f2f/database';
import { createKafka, ensureTopics, EventConsumer, OutboxRelay, OutboxWriter } from '@f2f/messaging';
import { FilesystemBlobStore } from '@f2f/storage';
import { stopTracing } from '@f2f/telemetry';
import {
  Controller,
  type DynamicModule,
  Get,
  Global,
  Inject,
  Injectable,
  Module,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  Res,
} from '@nestjs/common';
import { type Kafka, Partitioners, type Producer } from 'kafkajs';

import type { PlatformConfig } from './service-config';
import { BLOB_STORE, CLOCK, KAFKA, KAFKA_PRODUCER, LOGGER, PLATFORM_CONFIG, PRISMA } from './tokens';

/**
 * Starts the shared adapters once every module has registered its handlers, stops them in reverse.
 *
 * Ready (GET /health `ok`) as soon as the database answers, the topics exist and the producer is
 * connected: the HTTP API works from then on. The outbox relay and the consumer group join run in the background
 * (`messaging` in the health answer): a group join can take up to the session timeout after a crash
 * (the broker waits for the dead member), and nothing waits on it. No event is lost meanwhile: the
 * outbox keeps what is written until the relay publishes it, and the group consumes from its
 * committed offsets (the oldest retained event for a new group) once it has joined. A background
 * start that fails ends the process, so that its supervisor starts it again.
 */
@Injectable()
export class PlatformLifecycle
  implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown
{
  private ready = false;
  private messaging: 'starting' | 'ready' | 'failed' = 'starting';
  private readonly phases: Record<string, number> = {};
  private readonly extraChecks = new Map<string, () => Promise<string>>();

  constructor(
    @Inject(PLATFORM_CONFIG) private readonly config: PlatformConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(KAFKA) private readonly kafka: Kafka,
    @Inject(KAFKA_PRODUCER) private readonly producer: Producer,
    @Inject(PRISMA) private readonly prisma: ServiceDatabase,
    private readonly relay: OutboxRelay,
    private readonly consumer: EventConsumer,
  ) {}

  get isReady(): boolean {
    return this.ready;
  }

  /** Whether the topics exist, the relay publishes and the consumer group has joined. */
  get messagingState(): 'starting' | 'ready' | 'failed' {
    return this.messaging;
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.timed('database', async () => this.prisma.$queryRaw`SELECT 1`);
    // The topics exist before any module's consumer subscribes (one subscribing to a missing topic is
    // assigned nothing until its metadata refreshes); with existing topics this is one metadata call.
    await this.timed('topics', () => ensureTopics(this.kafka, this.config.topicPrefix));
    await this.timed('producer', () => this.producer.connect());
    this.ready = true;
    this.logger.info(
      { phasesMs: { ...this.phases }, sinceProcessStartMs: sinceProcessStart() },
      'service ready',
    );
    void this.startMessaging();
  }

  private async startMessaging(): Promise<void> {
    try {
      await this.timed('relay', () => this.relay.start());
      await this.timed('consumerJoin', () => this.consumer.start());
      if (!this.ready) return;
      this.messaging = 'ready';
      this.logger.info(
        {
          topicPrefix: this.config.topicPrefix,
          phasesMs: this.phases,
          sinceProcessStartMs: sinceProcessStart(),
        },
        'consuming',
      );
    } catch (err) {
      if (!this.ready) return; // shutting down meanwhile
      this.messaging = 'failed';
      this.logger.fatal({ err }, 'could not start consuming; exiting so that the service is started again');
      process.exit(70); // EX_SOFTWARE
    }
  }

  private async timed(phase: string, work: () => Promise<unknown>): Promise<void> {
    const t0 = performance.now();
    await work();
    this.phases[phase] = Math.round(performance.now() - t0);
  }

  /**
   * First of the shutdown (SIGTERM): not ready any more, then the consumer leaves its group after
   * the message in hand, whose handler finishes (a generation included) and whose offset is
   * committed, before any module closes what handlers use (onApplicationShutdown: the GPU pool's
   * clients, the models, the database). Nothing is lost and nothing is done twice.
   */
  async beforeApplicationShutdown(signal?: string): Promise<void> {
    this.ready = false;
    this.logger.info(
      { signal, messagesInHand: this.consumer.messagesInHand },
      'shutting down: finishing the message in hand',
    );
    const started = performance.now();
    await this.consumer.stop().catch((err: unknown) => this.logger.warn({ err }, 'consumer stop failed'));
    this.logger.info(
      { waitedMs: Math.round(performance.now() - started) },
      'consumer stopped; offsets committed',
    );
  }

  /**
   * Readiness (GET /health/ready): the database answers, the broker answers, the consumer group
   * has joined, and every check a module added (the GPU pool has a worker) passes.
   */
  async readiness(): Promise<{ ready: boolean; checks: Record<string, string> }> {
    const checks: Record<string, string> = {};
    const run = async (name: string, check: () => Promise<string>) => {
      try {
        checks[name] = await withTimeout(check(), 2_000);
      } catch (error) {
        checks[name] = `failed: ${(error as Error).message}`;
      }
    };
    await Promise.all([
      run('database', async () => (await this.prisma.$queryRaw`SELECT 1`, 'ok')),
      run('kafka', () => this.kafkaAnswers()),
      run('consumer', async () => {
        if (this.messaging !== 'ready') throw new Error(this.messaging);
        return 'ok';
      }),
      ...[...this.extraChecks].map(([name, check]) => run(name, check)),
    ]);
    const ready = this.ready && Object.values(checks).every((c) => !c.startsWith('failed'));
    return { ready, checks };
  }

  /** A check of something this service depends on; it throws (or rejects) when not ready. */
  addReadinessCheck(name: string, check: () => Promise<string>): void {
    this.extraChecks.set(name, check);
  }

  /** Liveness: false once the consumer could not start (the process is about to exit). */
  get isLive(): boolean {
    return this.messaging !== 'failed';
  }

  private async kafkaAnswers(): Promise<string> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const { brokers } = await admin.describeCluster();
      return `${brokers.length} broker(s)`;
    } finally {
      await admin.disconnect();
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.relay.stop();
    await this.relay.flush().catch((err: unknown) => this.logger.warn({ err }, 'final outbox flush failed'));
    await this.producer.disconnect();
    await this.prisma.$disconnect();
    // The spans of the last message handled leave before the process ends.
    await stopTracing();
  }
}

const sinceProcessStart = () => Math.round(performance.now());

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

@Controller()
export class HealthController {
  constructor(private readonly lifecycle: PlatformLifecycle) {}

  /** `ok` once the service answers requests; `messaging` says whether it consumes events yet. */
  @Get('health')
  health(): { status: string; messaging: string } {
    return { status: this.lifecycle.isReady ? 'ok' : 'starting', messaging: this.lifecycle.messagingState };
  }

  /** Liveness (restart when 503): the process runs and its consumer did not fail for good. */
  @Get('health/live')
  live(@Res({ passthrough: true }) res: { status(code: number): unknown }): { status: string } {
    if (!this.lifecycle.isLive) res.status(503);
    return { status: this.lifecycle.isLive ? 'ok' : 'failed' };
  }

  /** Readiness (route traffic and work here only when 200): every dependency answers. */
  @Get('health/ready')
  async ready(
    @Res({ passthrough: true }) res: { status(code: number): unknown },
  ): Promise<{ status: string; checks: Record<string, string> }> {
    const { ready, checks } = await this.lifecycle.readiness();
    if (!ready) res.status(503);
    return { status: ready ? 'ok' : 'not ready', checks };
  }
}

/**
 * Builds the service's own Prisma client (its generated client, on its own schema) from where the
 * database is and how many connections this process may hold.
 */
export type DatabaseFactory = (options: {
  url: string;
  poolSize: number;
  applicationName: string;
}) => ServiceDatabase;

@Global()
@Module({})
export class PlatformModule {
  static forRoot(config: PlatformConfig, logger: Logger, database: DatabaseFactory): DynamicModule {
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
            database({
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
          useFactory: (prisma: ServiceDatabase, producer: Producer) =>
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
          useFactory: (kafka: Kafka, producer: Producer, prisma: ServiceDatabase, outbox: OutboxWriter) =>
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
        PlatformLifecycle,
      ],
    };
  }
}
