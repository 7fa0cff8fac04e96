import { DomainError, ErrorCode, isRetryable, sleep, backoffDelay, type Logger } from '@f2f/common';
import {
  decodeEnvelope,
  type EventEnvelope,
  InvalidEventError,
  logicalTopic,
  makeEnvelope,
  Topic,
  topicName,
  traceIdOf,
} from '@f2f/contracts';
import type { ServiceDatabase, SqlClient } from '@f2f/database';
import { contextFrom, metrics, onScrape, SpanKind, withSpan } from '@f2f/telemetry';
import type { Consumer, Kafka, KafkaMessage, Producer } from 'kafkajs';

import type { OutboxWriter } from './outbox';

/** Tx: the service's own transaction client (its generated Prisma client's). */
export interface HandlerContext<Tx = SqlClient> {
  logger: Logger;
  /** Keeps the consumer's group membership alive during long work (a video generation). */
  heartbeat(): Promise<void>;
  /**
   * Runs effects in one transaction together with the inbox record of this event: the effects
   * happen exactly once however often the event is delivered. Returns undefined, without running
   * `work`, when this consumer has handled the event already.
   */
  transaction<R>(work: (tx: Tx) => Promise<R>): Promise<R | undefined>;
  /** Whether this consumer has handled the event already (for handlers with effects outside the database). */
  alreadyHandled(): Promise<boolean>;
  attempt: number;
}

export type EventHandler<T extends Topic> = (
  event: EventEnvelope<T>,
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each service's handlers name their own Tx
  ctx: HandlerContext<any>,
) => Promise<void>;

export interface EventConsumerOptions {
  /** Names the consumer group and the inbox rows; one per service. */
  consumerName: string;
  /**
   * The consumer group; `<prefix><consumerName>` by default. A group of its own per process makes
   * every replica receive every event (a broadcast, e.g. cancellations).
   */
  groupId?: string;
  /** Whether a new group starts at the oldest retained event (default) or at new ones only. */
  fromBeginning?: boolean;
  topicPrefix: string;
  /** Attempts for a retryable failure before the event is dead-lettered and the edit failed. */
  maxAttempts?: number;
  retryBaseDelayMs?: number;
  partitionsConsumedConcurrently?: number;
  sessionTimeoutMs?: number;
}

/**
 * Consumes events of the platform's topics: validates each envelope, runs its handler with retries
 * and backoff, and dead-letters what still fails (an invalid event at once) while failing the edit
 * with a reason, so that no edit waits forever on an event nobody can handle.
 */
export class EventConsumer {
  private readonly handlers = new Map<Topic, EventHandler<Topic>>();
  private consumer: Consumer | undefined;
  private stopped = false;
  private stopLagSource: (() => void) | undefined;
  private inHand = 0;
  private readonly maxAttempts: number;
  private readonly retryBaseDelayMs: number;

  constructor(
    private readonly kafka: Kafka,
    private readonly producer: Producer,
    private readonly prisma: ServiceDatabase,
    private readonly outbox: OutboxWriter,
    private readonly logger: Logger,
    private readonly options: EventConsumerOptions,
  ) {
    this.maxAttempts = options.maxAttempts ?? 5;
    this.retryBaseDelayMs = options.retryBaseDelayMs ?? 200;
  }

  on<T extends Topic>(topic: T, handler: EventHandler<T>): this {
    this.handlers.set(topic, handler as unknown as EventHandler<Topic>);
    return this;
  }

  async start(): Promise<void> {
    if (this.stopped) return;
    this.stopLagSource ??= onScrape(() => this.recordLag());
    const consumer = this.kafka.consumer({
      groupId: this.groupId,
      sessionTimeout: this.options.sessionTimeoutMs ?? 30_000,
      heartbeatInterval: 3_000,
      retry: { retries: 10 },
    });
    this.consumer = consumer;
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      // kafkajs restarts a consumer itself only after a retriable error; after any other (e.g.
      // "Failed to find group coordinator" while the broker restarts) it stays down for good.
      if (!payload.restart) this.restartAfterCrash(payload.error);
    });
    await consumer.connect();
    // stop() may come while this start is under way (a service stopped while its group joins).
    if (this.stopped) return consumer.disconnect();
    await consumer.subscribe({
      topics: [...this.handlers.keys()].map((t) => topicName(this.options.topicPrefix, t)),
      fromBeginning: this.options.fromBeginning ?? true,
    });
    await consumer.run({
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 3,
      eachMessage: async ({ topic, message, heartbeat }) => this.process(topic, message, heartbeat),
    });
  }

  /** Starts a new consumer after one that kafkajs will not restart, with back-off until it runs. */
  private restartAfterCrash(error: Error, attempt = 1): void {
    if (this.stopped) return;
    const delayMs = Math.min(30_000, 1_000 * 2 ** (attempt - 1));
    this.logger.warn({ err: error, attempt, delayMs }, 'consumer crashed; starting a new one');
    setTimeout(() => {
      this.start().catch((startError: Error) => {
        void this.consumer?.disconnect().catch(() => undefined);
        this.restartAfterCrash(startError, attempt + 1);
      });
    }, delayMs).unref();
  }

  /** Messages whose handling is under way now (a shutdown waits for them). */
  get messagesInHand(): number {
    return this.inHand;
  }

  /**
   * Leaves the group after the message in hand: kafkajs lets the running handler finish, commits
   * the offsets it resolved, then disconnects (graceful shutdown on SIGTERM loses and repeats nothing).
   */
  async stop(): Promise<void> {
    this.stopped = true;
    this.stopLagSource?.();
    await this.consumer?.disconnect();
  }

  private async process(
    physicalTopic: string,
    message: KafkaMessage,
    heartbeat: () => Promise<void>,
  ): Promise<void> {
    let event: EventEnvelope<Topic>;
    try {
      event = decodeEnvelope(message.value);
      if (logicalTopic(this.options.topicPrefix, physicalTopic) !== event.type) {
        throw new InvalidEventError('invalid event', [
          `type ${event.type} arrived on topic ${physicalTopic}`,
        ]);
      }
    } catch (error) {
      this.logger.error(
        { err: error, topic: physicalTopic, offset: message.offset },
        'invalid event dead-lettered',
      );
      await this.deadLetter(physicalTopic, message, error);
      return;
    }
    const handler = this.handlers.get(event.type);
    if (!handler) return;
    this.inHand++;
    try {
      await this.handle(physicalTopic, message, event, handler, heartbeat);
    } finally {
      this.inHand--;
    }
  }

  private async handle(
    physicalTopic: string,
    message: KafkaMessage,
    event: EventEnvelope<Topic>,
    handler: EventHandler<Topic>,
    heartbeat: () => Promise<void>,
  ): Promise<void> {
    const consumer = this.options.consumerName;
    const started = performance.now();
    // The handling is a CONSUMER span of the event's trace (the span that wrote the event is its
    // parent): what the handler does, and the events it writes, belong to the same trace.
    const outcome = await withSpan(
      `${consumer} process ${event.type}`,
      {
        kind: SpanKind.CONSUMER,
        parent: contextFrom(event.trace),
        attributes: {
          'messaging.system': 'kafka',
          'messaging.destination.name': physicalTopic,
          'messaging.consumer.group.name': this.groupId,
          'messaging.message.id': event.eventId,
          'f2f.edit_id': event.editId,
          'f2f.tenant_id': event.tenantId,
        },
      },
      (span) => {
        // Lines logged in the span carry its trace id themselves (the logger's mixin).
        const logger = this.logger.child({
          editId: event.editId,
          tenantId: event.tenantId,
          ...(span.isRecording() ? {} : { traceId: traceIdOf(event.trace) }),
          eventId: event.eventId,
          eventType: event.type,
        });
        return this.handleWithRetries(physicalTopic, message, event, handler, logger, heartbeat);
      },
    );
    metrics.eventsHandled.inc({ consumer, event_type: event.type, outcome });
    metrics.stageDuration.observe({ consumer, event_type: event.type }, (performance.now() - started) / 1000);
  }

  private async handleWithRetries(
    physicalTopic: string,
    message: KafkaMessage,
    event: EventEnvelope<Topic>,
    handler: EventHandler<Topic>,
    logger: Logger,
    heartbeat: () => Promise<void>,
  ): Promise<'ok' | 'retried' | 'dead_lettered'> {
    for (let attempt = 1; ; attempt++) {
      try {
        await handler(event, this.context(event, logger, heartbeat, attempt));
        return attempt === 1 ? 'ok' : 'retried';
      } catch (error) {
        const code = error instanceof DomainError ? error.code : ErrorCode.Internal;
        const final = !isRetryable(code) || attempt >= this.maxAttempts;
        logger.warn({ err: error, attempt, final }, 'handler failed');
        if (final) {
          await this.deadLetter(physicalTopic, message, error);
          await this.failEdit(event, code, error);
          return 'dead_lettered';
        }
        await sleep(backoffDelay(attempt, this.retryBaseDelayMs, 10_000));
        await heartbeat();
      }
    }
  }

  private get groupId(): string {
    return this.options.groupId ?? `${this.options.topicPrefix}${this.options.consumerName}`;
  }

  /** The group's lag per topic (end offsets minus committed ones), set on f2f_kafka_consumer_lag. */
  private async recordLag(): Promise<void> {
    const topics = [...this.handlers.keys()].map((t) => topicName(this.options.topicPrefix, t));
    if (topics.length === 0 || this.stopped) return;
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const committed = await admin.fetchOffsets({ groupId: this.groupId, topics });
      for (const { topic, partitions } of committed) {
        const ends = await admin.fetchTopicOffsets(topic);
        const endOf = new Map(ends.map((p) => [p.partition, Number(p.high)]));
        const lag = partitions.reduce((sum, p) => {
          const end = endOf.get(p.partition) ?? 0;
          // No commit yet (-1): the group would start at the oldest retained event.
          const at =
            Number(p.offset) < 0
              ? Number(ends.find((e) => e.partition === p.partition)?.low ?? 0)
              : Number(p.offset);
          return sum + Math.max(0, end - at);
        }, 0);
        metrics.consumerLag.set({ group: this.groupId, topic }, lag);
      }
    } finally {
      await admin.disconnect();
    }
  }

  private context(
    event: EventEnvelope<Topic>,
    logger: Logger,
    heartbeat: () => Promise<void>,
    attempt: number,
  ): HandlerContext {
    const consumer = this.options.consumerName;
    return {
      logger,
      heartbeat,
      attempt,
      alreadyHandled: async () =>
        (
          await this.prisma.$queryRaw<unknown[]>`
            SELECT 1 FROM processed_events WHERE consumer = ${consumer} AND event_id = ${event.eventId}::uuid`
        ).length > 0,
      transaction: (work) =>
        this.prisma.$transaction(
          async (tx) => {
            if ((await recordProcessed(tx, consumer, event.eventId)) === 0) {
              logger.info('event already handled; skipped');
              return undefined;
            }
            return work(tx);
          },
          { timeout: 60_000, maxWait: 15_000 },
        ),
    };
  }

  private async deadLetter(physicalTopic: string, message: KafkaMessage, error: unknown): Promise<void> {
    const value = message.value?.toString() ?? '';
    await this.producer.send({
      topic: topicName(this.options.topicPrefix, Topic.DeadLetter),
      acks: -1,
      messages: [
        {
          key: message.key,
          value: JSON.stringify({
            originalTopic: physicalTopic,
            consumer: this.options.consumerName,
            error: error instanceof Error ? error.message : String(error),
            rawValue: value.slice(0, 1_000_000),
          }),
        },
      ],
    });
  }

  /** Marks the edit failed (through edit.failed) exactly once per event and consumer. */
  private async failEdit(event: EventEnvelope<Topic>, code: ErrorCode, error: unknown): Promise<void> {
    if (event.type === Topic.EditFailed) return;
    const reason = error instanceof Error ? error.message : String(error);
    await this.prisma.$transaction(async (tx) => {
      if ((await recordProcessed(tx, this.options.consumerName, event.eventId)) === 0) return;
      await this.outbox.enqueue(
        tx,
        makeEnvelope({
          type: Topic.EditFailed,
          editId: event.editId,
          tenantId: event.tenantId,
          cause: event,
          payload: { stage: this.options.consumerName, code, reason: reason.slice(0, 4000) || code },
        }),
      );
    });
  }
}

/** The inbox record of an event (processed_events of the service's schema); 0 when it was there. */
function recordProcessed(tx: SqlClient, consumer: string, eventId: string): PromiseLike<number> {
  return tx.$executeRaw`
    INSERT INTO processed_events (consumer, event_id) VALUES (${consumer}, ${eventId}::uuid)
    ON CONFLICT DO NOTHING`;
}
