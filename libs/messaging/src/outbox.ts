import { sleep, type Logger } from '@f2f/common';
import { type AnyEventEnvelope, type EventEnvelope, topicName, type Topic } from '@f2f/contracts';
import type { ServiceDatabase, SqlClient } from '@f2f/database';
import { metrics, onScrape } from '@f2f/telemetry';
import type { Producer } from 'kafkajs';
import { Client } from 'pg';

/** The Postgres channel on which committed outbox writes wake the relays (payload: producer name). */
export const OUTBOX_CHANNEL = 'f2f_outbox';

/**
 * Writes events to the outbox table inside the caller's transaction: the event exists exactly when
 * the effects that caused it were committed.
 */
export class OutboxWriter {
  constructor(
    private readonly producerName: string,
    private readonly topicPrefix: string,
  ) {}

  /**
   * Each event keeps its W3C trace context in its envelope (`trace.traceparent`: the span that
   * wrote it), so the relay, publishing it later from no request at all, sends it in the message
   * headers and the consumer continues the same trace.
   */
  async enqueue(tx: SqlClient, ...events: EventEnvelope<Topic>[]): Promise<void> {
    if (events.length === 0) return;
    // The outbox_events table of the service's own schema (the connection's search_path).
    for (const event of events) {
      const topic = topicName(this.topicPrefix, event.type);
      await tx.$executeRaw`
        INSERT INTO outbox_events (event_id, producer, topic, key, envelope)
        VALUES (${event.eventId}::uuid, ${this.producerName}, ${topic}, ${event.editId}, ${JSON.stringify(event)}::jsonb)`;
    }
    // Delivered by Postgres at commit (never for a rolled-back transaction): wakes the relay.
    await tx.$executeRaw`SELECT pg_notify(${OUTBOX_CHANNEL}, ${this.producerName})`;
  }
}

export interface OutboxRelayOptions {
  producerName: string;
  /** Database to LISTEN on for commits that wrote to the outbox; without it the relay only polls. */
  listenUrl?: string;
  batchSize?: number;
  pollIntervalMs?: number;
}

interface OutboxRow {
  id: bigint;
  event_id: string;
  topic: string;
  key: string;
  envelope: AnyEventEnvelope;
}

/**
 * Publishes a producer's outbox rows to Kafka in insertion order, then marks them published.
 * Rows are locked with SKIP LOCKED so several replicas of a service never send the same row at
 * once; a crash after sending and before marking re-sends, which consumers' inboxes absorb.
 */
export class OutboxRelay {
  private running = false;
  private listener: Client | undefined;
  private wake: (() => void) | undefined;
  private stopBacklogSource: (() => void) | undefined;
  private loop: Promise<void> | undefined;
  private readonly batchSize: number;
  private readonly pollIntervalMs: number;

  constructor(
    private readonly prisma: ServiceDatabase,
    private readonly producer: Producer,
    private readonly logger: Logger,
    private readonly options: OutboxRelayOptions,
  ) {
    this.batchSize = options.batchSize ?? 200;
    this.pollIntervalMs = options.pollIntervalMs ?? 250;
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.stopBacklogSource = onScrape(() => this.recordBacklog());
    if (this.options.listenUrl) await this.listen(this.options.listenUrl);
    this.loop = this.run();
  }

  /** Publishes now instead of at the next poll. */
  notify(): void {
    this.wake?.();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.stopBacklogSource?.();
    this.wake?.();
    await this.loop;
    await this.listener?.end().catch(() => undefined);
    this.listener = undefined;
  }

  /** Sets f2f_outbox_backlog and f2f_outbox_oldest_age_seconds for this producer. */
  private async recordBacklog(): Promise<void> {
    const [row] = await this.prisma.$queryRaw<{ backlog: bigint; age: number | null }[]>`
      SELECT count(*) AS backlog, extract(epoch FROM now() - min(created_at))::float8 AS age
      FROM outbox_events WHERE producer = ${this.options.producerName} AND published_at IS NULL`;
    const producer = this.options.producerName;
    metrics.outboxBacklog.set({ producer }, Number(row?.backlog ?? 0));
    metrics.outboxOldestAge.set({ producer }, Math.max(0, row?.age ?? 0));
  }

  private async listen(url: string): Promise<void> {
    const client = new Client({
      connectionString: url,
      application_name: `${this.options.producerName}-outbox-listener`,
    });
    client.on('notification', (n) => {
      if (n.payload === this.options.producerName) this.notify();
    });
    client.on('error', (err) => {
      // Polling carries on; a lost listener only adds latency.
      this.logger.warn({ err }, 'outbox relay: LISTEN connection lost; polling only');
      this.listener = undefined;
    });
    await client.connect();
    await client.query(`LISTEN ${OUTBOX_CHANNEL}`);
    this.listener = client;
  }

  /** Publishes everything pending now; returns how many events were sent. */
  async flush(): Promise<number> {
    let total = 0;
    for (;;) {
      const sent = await this.publishBatch();
      total += sent;
      if (sent < this.batchSize) return total;
    }
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        const sent = await this.publishBatch();
        if (sent === this.batchSize) continue;
      } catch (error) {
        this.logger.error({ err: error }, 'outbox relay: publishing failed; retrying');
        await sleep(1000);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.pollIntervalMs);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
    }
  }

  private async publishBatch(): Promise<number> {
    return this.prisma.$transaction(
      async (tx) => {
        const rows = await tx.$queryRaw<OutboxRow[]>`
          SELECT id, event_id, topic, key, envelope FROM outbox_events
          WHERE producer = ${this.options.producerName} AND published_at IS NULL
          ORDER BY id LIMIT ${this.batchSize} FOR UPDATE SKIP LOCKED`;
        if (rows.length === 0) return 0;
        const byTopic = new Map<string, OutboxRow[]>();
        for (const row of rows) byTopic.set(row.topic, [...(byTopic.get(row.topic) ?? []), row]);
        await this.producer.sendBatch({
          acks: -1,
          topicMessages: [...byTopic].map(([topic, topicRows]) => ({
            topic,
            messages: topicRows.map((row) => ({
              key: row.key,
              value: JSON.stringify(row.envelope),
              headers: { 'event-type': row.envelope.type, traceparent: row.envelope.trace.traceparent },
            })),
          })),
        });
        const ids = rows.map((r) => r.id.toString());
        await tx.$executeRaw`UPDATE outbox_events SET published_at = now() WHERE id = ANY(${ids}::bigint[])`;
        metrics.outboxPublished.inc({ producer: this.options.producerName }, rows.length);
        return rows.length;
      },
      { timeout: 30_000, maxWait: 10_000 },
    );
  }
}
