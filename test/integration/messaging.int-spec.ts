import { randomBytes, randomUUID } from 'node:crypto';

import { createLogger, DomainError, ErrorCode, sleep } from '@f2f/common';
import {
  ALL_TOPICS,
  type EventEnvelope,
  type EventPayloads,
  makeEnvelope,
  Topic,
  topicName,
  traceIdOf,
} from '@f2f/contracts';
import type { Admin, Consumer, Kafka, Producer } from 'kafkajs';

import { createTestDatabase, type TestDatabase } from '../support/database';
import type {
  PrismaClient as CaptioningDb,
  Tx as CaptioningTx,
} from '../../services/captioning/src/database';
import { captioningDatabase } from '../support/service-databases';
import { testInfrastructure } from '../support/env';
import { makeEditRequested } from '../support/factories';
import {
  createKafka,
  ensureTopics,
  EventConsumer,
  type HandlerContext,
  OutboxRelay,
  OutboxWriter,
} from '@f2f/messaging';

// One database, one topic prefix, one relay and one EventConsumer for the whole file: Kafka group
// joins take seconds. The consumer's handlers dispatch on the edit id, so each test installs the
// behaviour it needs for its own edits; an observer consumer records every message on every topic.

const PRODUCER = 'test-producer';
const CONSUMER = 'worker';
const MAX_ATTEMPTS = 3;

interface Delivery {
  type: Topic;
  editId: string;
  eventId: string;
  attempt: number;
}

interface Observed {
  topic: string;
  partition: number;
  offset: number;
  key: string | undefined;
  value: Buffer | null;
  headers: Record<string, string>;
}

interface DeadLetterValue {
  originalTopic: string;
  consumer: string;
  error: string;
  rawValue: string;
}

type Behaviour = (event: EventEnvelope<Topic>, ctx: HandlerContext<CaptioningTx>) => Promise<void>;

const prefix = `t${randomBytes(4).toString('hex')}.`;
const topic = (t: Topic) => topicName(prefix, t);
const logger = createLogger('test', 'silent');

let db: TestDatabase<CaptioningDb>;
let kafka: Kafka;
let admin: Admin;
let producer: Producer;
let relay: OutboxRelay;
let outbox: OutboxWriter;
let consumer: EventConsumer;
let observer: Consumer;

const deliveries: Delivery[] = [];
const observed: Observed[] = [];
const behaviours = new Map<string, Behaviour>();

async function waitFor<T>(what: string, probe: () => T | Promise<T>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(50);
  }
}

const deliveriesOf = (editId: string) => deliveries.filter((d) => d.editId === editId);
const observedOn = (t: Topic, key: string) =>
  observed.filter((m) => m.topic === topic(t) && m.key === key).sort((a, b) => a.offset - b.offset);
const envelopeOf = (m: Observed) => JSON.parse(m.value!.toString()) as EventEnvelope<Topic>;
const deadLettersFor = (key: string) =>
  observedOn(Topic.DeadLetter, key).map((m) => JSON.parse(m.value!.toString()) as DeadLetterValue);

/**
 * True once the relay has nothing pending and the observer has read every topic up to its high
 * watermark: whatever is not observed by then was never published.
 */
async function caughtUp(): Promise<boolean> {
  if ((await db.prisma.outboxEvent.count({ where: { publishedAt: null } })) > 0) return false;
  for (const t of ALL_TOPICS) {
    for (const { partition, high } of await admin.fetchTopicOffsets(topic(t))) {
      const seen = observed.filter((m) => m.topic === topic(t) && m.partition === partition);
      const last = seen.reduce((max, m) => Math.max(max, m.offset), -1);
      if (last < Number(high) - 1) return false;
    }
  }
  return true;
}

/** Produces straight to Kafka, past the outbox (a redelivery, or a message no producer of ours would write). */
async function produce(t: Topic, key: string, value: string | Buffer | null): Promise<void> {
  await producer.send({ topic: topic(t), acks: -1, messages: [{ key, value }] });
}

function statusEvent(editId: string, seq: number) {
  return makeEnvelope({
    type: Topic.EditStatus,
    editId,
    tenantId: 'default',
    payload: { status: 'CAPTIONING', previousStatus: 'SUBMITTED', seq, cause: `test ${seq}`, update: null },
  });
}

function captionCompleted(requested: EventEnvelope<Topic.EditRequested>) {
  const payload: EventPayloads[Topic.CaptionCompleted] = {
    temporalCaption: 'The dog slowly sits down.',
    provenance: 'template',
    targetCaption: requested.payload.targetCaption,
    sourceKey: requested.payload.sourceKey,
    groundTruthKey: null,
    sourceWidth: requested.payload.sourceWidth,
    sourceHeight: requested.payload.sourceHeight,
    options: requested.payload.options,
  };
  return makeEnvelope({
    type: Topic.CaptionCompleted,
    editId: requested.editId,
    tenantId: requested.tenantId,
    cause: requested,
    payload,
  });
}

async function dispatch(event: EventEnvelope<Topic>, ctx: HandlerContext<CaptioningTx>): Promise<void> {
  deliveries.push({ type: event.type, editId: event.editId, eventId: event.eventId, attempt: ctx.attempt });
  await behaviours.get(event.editId)?.(event, ctx);
}

beforeAll(async () => {
  const { kafkaBrokers } = testInfrastructure();
  // The shared messaging code on a real service's schema (captioning's: captions are the effects).
  db = await createTestDatabase('messaging', captioningDatabase);
  kafka = createKafka({
    clientId: 'messaging-int-spec',
    brokers: kafkaBrokers.split(','),
    topicPrefix: prefix,
    logger,
  });
  await ensureTopics(kafka, prefix);
  admin = kafka.admin();
  await admin.connect();
  producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();

  relay = new OutboxRelay(db.prisma, producer, logger, {
    producerName: PRODUCER,
    batchSize: 3,
    // Slow polling: deliveries within the tests' time limits come from the commit notifications.
    pollIntervalMs: 5_000,
    listenUrl: db.url,
  });
  outbox = new OutboxWriter(PRODUCER, prefix);
  await relay.start();

  consumer = new EventConsumer(kafka, producer, db.prisma, outbox, logger, {
    consumerName: CONSUMER,
    topicPrefix: prefix,
    maxAttempts: MAX_ATTEMPTS,
    retryBaseDelayMs: 20,
  })
    .on(Topic.EditRequested, dispatch)
    .on(Topic.CaptionCompleted, dispatch);

  observer = kafka.consumer({ groupId: `${prefix}observer`, maxWaitTimeInMs: 200 });
  await observer.connect();
  await observer.subscribe({ topics: ALL_TOPICS.map(topic), fromBeginning: true });
  await observer.run({
    eachMessage: async ({ topic: t, partition, message }) => {
      observed.push({
        topic: t,
        partition,
        offset: Number(message.offset),
        key: message.key?.toString(),
        value: message.value,
        headers: Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)])),
      });
    },
  });
  await consumer.start();

  // Both groups have joined and read once before the first test's clock starts.
  const warmup = makeEditRequested();
  await produce(Topic.EditRequested, warmup.editId, JSON.stringify(warmup));
  await waitFor(
    'the warm-up event',
    () =>
      deliveriesOf(warmup.editId).length === 1 && observedOn(Topic.EditRequested, warmup.editId).length === 1,
    45_000,
  );
}, 90_000);

afterAll(async () => {
  await consumer?.stop();
  await observer?.disconnect();
  await relay?.stop();
  await producer?.disconnect();
  if (admin) {
    await admin.deleteTopics({ topics: ALL_TOPICS.map(topic) }).catch(() => undefined);
    await admin.deleteGroups([`${prefix}${CONSUMER}`, `${prefix}observer`]).catch(() => undefined);
    await admin.disconnect();
  }
  await db?.drop();
}, 60_000);

describe('transactional outbox and relay', () => {
  it('publishes committed events to the prefixed topics, keyed by edit, in insertion order, and marks them', async () => {
    const requested = makeEditRequested();
    const editId = requested.editId;
    const other = makeEditRequested();
    const statuses = [1, 2, 3, 4, 5].map((seq) => statusEvent(editId, seq));
    const caption = captionCompleted(requested);
    // Several transactions, interleaved with another edit, and more rows than one relay batch (3).
    await db.prisma.$transaction((tx) => outbox.enqueue(tx, requested, statuses[0], statuses[1]));
    await db.prisma.$transaction((tx) => outbox.enqueue(tx, other, statusEvent(other.editId, 1)));
    await db.prisma.$transaction((tx) => outbox.enqueue(tx, statuses[2]));
    await db.prisma.$transaction((tx) => outbox.enqueue(tx, caption, statuses[3], statuses[4]));
    const ours = [requested, statuses[0], statuses[1], statuses[2], caption, statuses[3], statuses[4]];

    await waitFor('the events of the edit to be published and marked', async () => {
      const rows = await db.prisma.outboxEvent.findMany({
        where: { eventId: { in: ours.map((e) => e.eventId) } },
      });
      return rows.length === ours.length && rows.every((r) => r.publishedAt !== null);
    });
    await waitFor(
      'the observer to read them',
      () => observed.filter((m) => m.key === editId).length === ours.length,
    );

    const rows = await db.prisma.outboxEvent.findMany({ where: { key: editId }, orderBy: { id: 'asc' } });
    expect(rows.map((r) => r.eventId)).toEqual(ours.map((e) => e.eventId));
    expect(rows.map((r) => r.topic)).toEqual(ours.map((e) => topic(e.type)));
    expect(rows.every((r) => r.producer === PRODUCER)).toBe(true);

    const onStatus = observedOn(Topic.EditStatus, editId);
    expect(onStatus.map((m) => envelopeOf(m).eventId)).toEqual(statuses.map((e) => e.eventId));
    expect(onStatus.map((m) => (envelopeOf(m) as EventEnvelope<Topic.EditStatus>).payload.seq)).toEqual([
      1, 2, 3, 4, 5,
    ]);
    // One key, one partition: the order above is the order every consumer reads.
    expect(new Set(onStatus.map((m) => m.partition)).size).toBe(1);

    for (const event of ours) {
      const [message] = observed.filter((m) => m.value && envelopeOf(m).eventId === event.eventId);
      expect(message.topic).toBe(topic(event.type));
      expect(message.key).toBe(editId);
      expect(message.headers['event-type']).toBe(event.type);
      expect(message.headers.traceparent).toBe(event.trace.traceparent);
      expect(envelopeOf(message)).toEqual(event);
    }
    await waitFor('the consumer to handle the edit', () => deliveriesOf(editId).length === 2);
    expect(deliveriesOf(editId).map((d) => d.type)).toEqual([Topic.EditRequested, Topic.CaptionCompleted]);
  });

  it('never publishes events of a transaction that rolls back', async () => {
    const rolledBack = makeEditRequested();
    const committed = makeEditRequested();
    await expect(
      db.prisma.$transaction(async (tx) => {
        await tx.caption.create({
          data: {
            editId: rolledBack.editId,
            tenantId: 'default',
            targetCaption: 'x',
            text: 'x',
            provenance: 'template',
          },
        });
        await outbox.enqueue(tx, rolledBack, statusEvent(rolledBack.editId, 1));
        throw new Error('effects failed');
      }),
    ).rejects.toThrow('effects failed');
    await db.prisma.$transaction((tx) => outbox.enqueue(tx, committed));

    await waitFor(
      'the committed event',
      () => observedOn(Topic.EditRequested, committed.editId).length === 1,
    );
    await waitFor('the relay and the observer to catch up', caughtUp);

    expect(await db.prisma.outboxEvent.count({ where: { key: rolledBack.editId } })).toBe(0);
    expect(await db.prisma.caption.count({ where: { editId: rolledBack.editId } })).toBe(0);
    expect(observed.filter((m) => m.key === rolledBack.editId)).toEqual([]);
    await waitFor(
      'the consumer to handle the committed edit',
      () => deliveriesOf(committed.editId).length === 1,
    );
    expect(deliveriesOf(rolledBack.editId)).toEqual([]);
  });

  it('re-sends rows sent but not marked, and ctx.transaction applies the effect once', async () => {
    const event = makeEditRequested();
    const editId = event.editId;
    const results: Array<string | undefined> = [];
    let workRuns = 0;
    behaviours.set(editId, async (e, ctx) => {
      results.push(
        await ctx.transaction(async (tx) => {
          workRuns++;
          await tx.caption.create({
            data: {
              editId,
              tenantId: e.tenantId,
              targetCaption: 't',
              text: 'caption',
              provenance: 'template',
            },
          });
          return 'applied';
        }),
      );
    });

    await db.prisma.$transaction((tx) => outbox.enqueue(tx, event));
    await waitFor('the first delivery', () => results.length === 1);

    // A relay that crashed after sending and before marking: the row is pending again.
    const reset = await db.prisma.outboxEvent.updateMany({
      where: { eventId: event.eventId, publishedAt: { not: null } },
      data: { publishedAt: null },
    });
    expect(reset.count).toBe(1);
    relay.notify();

    await waitFor('the second delivery', () => results.length === 2);
    await waitFor('the row to be marked again', async () => {
      const row = await db.prisma.outboxEvent.findUnique({ where: { eventId: event.eventId } });
      return row?.publishedAt != null;
    });

    const sent = observedOn(Topic.EditRequested, editId);
    expect(sent).toHaveLength(2);
    expect(sent.map((m) => envelopeOf(m).eventId)).toEqual([event.eventId, event.eventId]);
    expect(deliveriesOf(editId).map((d) => d.eventId)).toEqual([event.eventId, event.eventId]);
    expect(results).toEqual(['applied', undefined]);
    expect(workRuns).toBe(1);
    expect(await db.prisma.caption.count({ where: { editId } })).toBe(1);
    expect(
      await db.prisma.processedEvent.count({ where: { consumer: CONSUMER, eventId: event.eventId } }),
    ).toBe(1);
  });
});

describe('event consumer', () => {
  it('handles an event delivered twice once, and ctx.alreadyHandled() says so afterwards', async () => {
    const event = makeEditRequested();
    const editId = event.editId;
    const seen: Array<{ before: boolean; ran: boolean; after: boolean }> = [];
    behaviours.set(editId, async (_e, ctx) => {
      const before = await ctx.alreadyHandled();
      let ran = false;
      await ctx.transaction(async (tx) => {
        ran = true;
        await tx.caption.create({
          data: { editId, tenantId: 'default', targetCaption: 't', text: 'caption', provenance: 'template' },
        });
      });
      seen.push({ before, ran, after: await ctx.alreadyHandled() });
    });

    const value = JSON.stringify(event);
    await produce(Topic.EditRequested, editId, value);
    await produce(Topic.EditRequested, editId, value);

    await waitFor('both deliveries', () => seen.length === 2);
    expect(seen).toEqual([
      { before: false, ran: true, after: true },
      { before: true, ran: false, after: true },
    ]);
    expect(await db.prisma.caption.count({ where: { editId } })).toBe(1);
    expect(await db.prisma.processedEvent.count({ where: { eventId: event.eventId } })).toBe(1);
    expect(deadLettersFor(editId)).toEqual([]);
  });

  it('dead-letters invalid messages with their original value and an error, and keeps consuming', async () => {
    const garbageKey = randomUUID();
    const garbage = Buffer.from('\u0000\u0001garbage{{ not json', 'utf8');
    const badPayload = makeEditRequested();
    const badPayloadValue = JSON.stringify({
      ...badPayload,
      payload: { ...badPayload.payload, sourceWidth: -1 },
    });
    const misplaced = captionCompleted(makeEditRequested());
    const misplacedValue = JSON.stringify(misplaced);
    const tombstoneKey = randomUUID();
    const valid = makeEditRequested();

    await produce(Topic.EditRequested, garbageKey, garbage);
    await produce(Topic.EditRequested, badPayload.editId, badPayloadValue);
    await produce(Topic.EditRequested, misplaced.editId, misplacedValue);
    await produce(Topic.EditRequested, tombstoneKey, null);
    await produce(Topic.EditRequested, valid.editId, JSON.stringify(valid));

    await waitFor('the valid message after the invalid ones', () => deliveriesOf(valid.editId).length === 1);
    await waitFor('four dead letters', () =>
      [garbageKey, badPayload.editId, misplaced.editId, tombstoneKey].every(
        (k) => deadLettersFor(k).length === 1,
      ),
    );

    const common = { originalTopic: topic(Topic.EditRequested), consumer: CONSUMER };
    expect(deadLettersFor(garbageKey)).toEqual([
      { ...common, rawValue: garbage.toString('utf8'), error: expect.stringMatching(/not JSON/) },
    ]);
    expect(deadLettersFor(badPayload.editId)).toEqual([
      {
        ...common,
        rawValue: badPayloadValue,
        error: expect.stringMatching(/invalid edit\.requested payload: sourceWidth/),
      },
    ]);
    expect(deadLettersFor(misplaced.editId)).toEqual([
      {
        ...common,
        rawValue: misplacedValue,
        error: expect.stringContaining(
          `type caption.completed arrived on topic ${topic(Topic.EditRequested)}`,
        ),
      },
    ]);
    expect(deadLettersFor(tombstoneKey)).toEqual([
      { ...common, rawValue: '', error: expect.stringMatching(/empty message/) },
    ]);

    // Invalid events reach no handler and fail no edit (there is no edit to trust in them).
    expect(deliveriesOf(badPayload.editId)).toEqual([]);
    expect(deliveriesOf(misplaced.editId)).toEqual([]);
    expect(
      await db.prisma.outboxEvent.count({ where: { key: { in: [badPayload.editId, misplaced.editId] } } }),
    ).toBe(0);
  });

  it('retries a retryable failure with backoff and succeeds, the inbox rolled back with the failed attempts', async () => {
    const event = makeEditRequested();
    const editId = event.editId;
    let applied = 0;
    behaviours.set(editId, async (_e, ctx) => {
      await ctx.transaction(async (tx) => {
        await tx.caption.create({
          data: {
            editId,
            tenantId: 'default',
            targetCaption: 't',
            text: `attempt ${ctx.attempt}`,
            provenance: 'template',
          },
        });
        if (ctx.attempt === 1) throw new Error('connection reset'); // INTERNAL: retryable
        if (ctx.attempt === 2) throw new DomainError(ErrorCode.Unavailable, 'model server busy');
        applied++;
      });
    });

    await produce(Topic.EditRequested, editId, JSON.stringify(event));
    await waitFor('the third attempt', () => applied === 1);

    expect(deliveriesOf(editId).map((d) => d.attempt)).toEqual([1, 2, 3]);
    const captions = await db.prisma.caption.findMany({ where: { editId } });
    expect(captions.map((c) => c.text)).toEqual(['attempt 3']);
    expect(await db.prisma.processedEvent.count({ where: { eventId: event.eventId } })).toBe(1);
    await waitFor('the relay and the observer to catch up', caughtUp);
    expect(deadLettersFor(editId)).toEqual([]);
    expect(await db.prisma.outboxEvent.count({ where: { key: editId } })).toBe(0);
  });

  it.each([
    {
      name: 'a non-retryable failure at once',
      error: () => new DomainError(ErrorCode.InvalidInput, 'caption is not usable'),
      attempts: [1],
      code: ErrorCode.InvalidInput,
    },
    {
      name: 'a retryable failure after maxAttempts',
      error: () => new DomainError(ErrorCode.Unavailable, 'model server down'),
      attempts: [1, 2, 3],
      code: ErrorCode.Unavailable,
    },
  ])('dead-letters $name and fails the edit exactly once', async ({ error, attempts, code }) => {
    const event = makeEditRequested();
    const editId = event.editId;
    const reason = error().message;
    behaviours.set(editId, async () => {
      throw error();
    });

    const value = JSON.stringify(event);
    await produce(Topic.EditRequested, editId, value);
    await waitFor('the dead letter', () => deadLettersFor(editId).length === 1);
    await waitFor('edit.failed to be published', () => observedOn(Topic.EditFailed, editId).length === 1);
    expect(deliveriesOf(editId).map((d) => d.attempt)).toEqual(attempts);
    expect(deadLettersFor(editId)).toEqual([
      { originalTopic: topic(Topic.EditRequested), consumer: CONSUMER, error: reason, rawValue: value },
    ]);

    // Delivered again (a rebalance, a replay): dead-lettered again, but the edit is failed once.
    await produce(Topic.EditRequested, editId, value);
    await waitFor('the second dead letter', () => deadLettersFor(editId).length === 2);
    await waitFor('the relay and the observer to catch up', caughtUp);
    expect(deliveriesOf(editId).map((d) => d.attempt)).toEqual([...attempts, ...attempts]);

    const rows = await db.prisma.outboxEvent.findMany({ where: { key: editId } });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      producer: PRODUCER,
      topic: topic(Topic.EditFailed),
      publishedAt: expect.any(Date),
    });
    const failed = observedOn(Topic.EditFailed, editId);
    expect(failed).toHaveLength(1);
    const published = envelopeOf(failed[0]) as EventEnvelope<Topic.EditFailed>;
    expect(published).toEqual(rows[0].envelope);
    expect(published).toMatchObject({
      type: Topic.EditFailed,
      editId,
      tenantId: event.tenantId,
      causationId: event.eventId,
      payload: { stage: CONSUMER, code, reason },
    });
    expect(traceIdOf(published.trace)).toBe(traceIdOf(event.trace));
  });
});
