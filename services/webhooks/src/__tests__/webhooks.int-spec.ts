import { createDatabase, type PrismaClient as ServiceClient } from '../database';
import { randomBytes, randomUUID } from 'node:crypto';

import { createLogger, DomainError, ErrorCode, sleep, systemClock } from '@f2f/common';
import { type EventEnvelope, historyEntryEventId, Topic, topicName } from '@f2f/contracts';
import { asTenantId } from '@f2f/database';
import { type PrismaClient } from '../database';
import { createKafka, ensureTopics, EventConsumer, OutboxWriter } from '@f2f/messaging';
import type { Kafka, Producer } from 'kafkajs';

import { createTestDatabase, type TestDatabase } from '../../../../test/support/database';
import { testInfrastructure } from '../../../../test/support/env';
import { WebhookReceiver } from '../../../../test/support/webhook-receiver';
import { DeliveryLogService } from '../deliveries/delivery-log.service';
import {
  PrismaWebhookDeliveriesRepository,
  type WebhookDeliveriesRepository,
} from '../deliveries/webhook-deliveries.repository';
import { HttpWebhookSender } from '../dispatch/http-sender';
import { WebhookDispatcher } from '../dispatch/webhook-dispatcher';
import { PrismaWebhookEndpointsRepository } from '../endpoints/webhook-endpoints.repository';
import { WebhookEndpointsService } from '../endpoints/webhook-endpoints.service';
import { RecordDeliveriesUseCase } from '../events/record-deliveries.use-case';
import { SecretBox } from '../signing/secret-box';

import { makeEditStatus } from './factories';

// Real parts only: Postgres (a database of this file), a Kafka broker (a topic prefix of this
// file), libs/messaging's consumer with its inbox, and real HTTP receivers on 127.0.0.1.

const prefix = `wh${randomBytes(4).toString('hex')}.`;
const logger = createLogger('test', 'silent');
const TENANT = asTenantId('acme');
const OTHER = asTenantId('globex');
const SCHEDULE = { maxAttempts: 3, baseDelayMs: 300, maxDelayMs: 1_000 };
const TIMEOUT_MS = 1_000;
const MAX_ENDPOINTS = 6;

let db: TestDatabase<ServiceClient>;
let kafka: Kafka;
let producer: Producer;
let consumer: EventConsumer;
let endpoints: WebhookEndpointsService;
let log: DeliveryLogService;
let deliveries: WebhookDeliveriesRepository;
let dispatcher: WebhookDispatcher;
const box = new SecretBox('e'.repeat(40));
const receiver = new WebhookReceiver();
const selectedOnly = new WebhookReceiver();

const makeDispatcher = (prisma: PrismaClient, options: { batchSize?: number } = {}) =>
  new WebhookDispatcher(
    new PrismaWebhookDeliveriesRepository(prisma),
    box,
    new HttpWebhookSender({ timeoutMs: TIMEOUT_MS, allowPrivateNetworks: true }),
    systemClock,
    logger,
    { batchSize: options.batchSize ?? 10, pollIntervalMs: 50, timeoutMs: TIMEOUT_MS, schedule: SCHEDULE },
  );

async function waitFor<T>(
  what: string,
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(50);
  }
}

async function publish(event: EventEnvelope<Topic.EditStatus>): Promise<void> {
  await producer.send({
    topic: topicName(prefix, Topic.EditStatus),
    acks: -1,
    messages: [{ key: event.editId, value: JSON.stringify(event) }],
  });
}

const deliveriesOf = (eventId: string) =>
  db.prisma.webhookDelivery.findMany({
    where: { eventId },
    include: { attempts: { orderBy: { attempt: 'asc' } } },
    orderBy: { createdAt: 'asc' },
  });

async function settled(eventId: string, count = 1) {
  return waitFor(`${count} finished deliveries of ${eventId}`, async () => {
    const rows = await deliveriesOf(eventId);
    return rows.length === count && rows.every((r) => r.status !== 'PENDING') ? rows : undefined;
  });
}

let all: { id: string; secret: string };
let selected: { id: string; secret: string };

beforeAll(async () => {
  const { kafkaBrokers } = testInfrastructure();
  db = await createTestDatabase('webhooks', createDatabase);
  kafka = createKafka({
    clientId: 'webhooks-test',
    brokers: kafkaBrokers.split(','),
    topicPrefix: prefix,
    logger,
  });
  await ensureTopics(kafka, prefix);
  producer = kafka.producer();
  await producer.connect();
  const endpointRepo = new PrismaWebhookEndpointsRepository(db.prisma);
  deliveries = new PrismaWebhookDeliveriesRepository(db.prisma);
  endpoints = new WebhookEndpointsService(
    endpointRepo,
    box,
    {
      allowHttp: true,
      allowPrivateNetworks: true,
      maxEndpointsPerTenant: MAX_ENDPOINTS,
      rotationGraceMs: 60_000,
    },
    systemClock,
  );
  log = new DeliveryLogService(deliveries);
  dispatcher = makeDispatcher(db.prisma);
  const useCase = new RecordDeliveriesUseCase(endpointRepo, deliveries);
  consumer = new EventConsumer(kafka, producer, db.prisma, new OutboxWriter('webhooks', prefix), logger, {
    consumerName: 'webhooks',
    topicPrefix: prefix,
  });
  consumer.on(Topic.EditStatus, async (event, ctx) => {
    if ((await useCase.execute(event, ctx)) > 0) dispatcher.wake();
  });
  await receiver.start();
  await selectedOnly.start();
  const a = await endpoints.create(TENANT, { url: receiver.url, description: 'everything' });
  all = { id: a.endpoint.id, secret: a.secret };
  const s = await endpoints.create(TENANT, { url: selectedOnly.url, events: ['frame.selected'] });
  selected = { id: s.endpoint.id, secret: s.secret };
  await endpoints.create(TENANT, { url: receiver.url, enabled: false, description: 'disabled' });
  receiver.secret = all.secret;
  selectedOnly.secret = selected.secret;
  await consumer.start();
  dispatcher.start();
});

afterAll(async () => {
  await dispatcher?.stop();
  await consumer?.stop();
  await producer?.disconnect();
  await receiver.stop();
  await selectedOnly.stop();
  await db?.drop();
});

beforeEach(() => {
  receiver.secret = all.secret;
  receiver.script = [];
  receiver.hang = false;
});

describe('events from Kafka become signed deliveries', () => {
  it('retries a 500 with backoff, succeeds on the 200, and logs both attempts; the receiver verifies every signature', async () => {
    receiver.script = [500];
    const event = makeEditStatus(TENANT, 'caption.completed');
    await publish(event);

    const [delivery] = await settled(event.eventId);
    expect(delivery).toMatchObject({
      endpointId: all.id,
      tenantId: TENANT,
      eventType: 'caption.completed',
      editId: event.editId,
      status: 'SUCCEEDED',
      attemptCount: 2,
      lastStatusCode: 200,
      lastError: null,
    });
    expect(delivery.completedAt).not.toBeNull();
    expect(delivery.attempts.map((a) => [a.attempt, a.statusCode, a.error])).toEqual([
      [1, 500, 'HTTP 500'],
      [2, 200, null],
    ]);
    expect(delivery.attempts[0].responseBody).toBe('answered 500');
    for (const a of delivery.attempts) expect(a.latencyMs).toBeGreaterThanOrEqual(0);
    // The retry waited at least half the base delay (backoff with jitter).
    const gap = delivery.attempts[1].startedAt.getTime() - delivery.attempts[0].startedAt.getTime();
    expect(gap).toBeGreaterThanOrEqual(SCHEDULE.baseDelayMs / 2);

    const got = receiver.forEvent(event.eventId);
    expect(got.map((r) => [r.answered, r.verified])).toEqual([
      [500, true],
      [200, true],
    ]);
    expect(got[0].body).toBe(got[1].body); // every attempt sends the same bytes
    expect(got[1].headers).toMatchObject({
      'content-type': 'application/json',
      'f2f-webhook-id': all.id,
      'f2f-event-id': event.eventId,
      'f2f-event-type': 'caption.completed',
      'f2f-delivery-id': delivery.id,
      'f2f-delivery-attempt': '2',
    });
    expect(got[1].headers['f2f-signature']).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(JSON.parse(got[1].body)).toEqual({
      id: event.eventId,
      type: 'caption.completed',
      apiVersion: 1,
      createdAt: event.occurredAt,
      tenantId: TENANT,
      data: expect.objectContaining({
        editId: event.editId,
        status: 'GENERATING',
        previousStatus: 'CAPTIONING',
        update: expect.objectContaining({
          seq: 2,
          type: 'caption.completed',
          temporalCaption: 'The dog sits down.',
          editId: event.editId,
        }),
      }),
    });
    // The filtered endpoint did not want it; the disabled one got nothing.
    expect(selectedOnly.forEvent(event.eventId)).toEqual([]);
  });

  it('honours each endpoint event filter', async () => {
    const event = makeEditStatus(TENANT, 'frame.selected', { status: 'COMPLETED' });
    await publish(event);
    const rows = await settled(event.eventId, 2);
    expect(rows.map((r) => r.endpointId).sort()).toEqual([all.id, selected.id].sort());
    expect(selectedOnly.forEvent(event.eventId).map((r) => r.verified)).toEqual([true]);
    expect(JSON.parse(selectedOnly.forEvent(event.eventId)[0].body).data.update.selection).toMatchObject({
      frameIndex: 40,
      noEdit: false,
    });
  });

  it('writes nothing twice for an event Kafka delivers again, nor for another tenant or an event older than the endpoint', async () => {
    const event = makeEditStatus(TENANT, 'video.generated');
    await publish(event);
    await settled(event.eventId);
    await publish(event);
    const older = makeEditStatus(TENANT, 'video.generated', { occurredAt: new Date(Date.now() - 3_600_000) });
    const foreign = makeEditStatus(OTHER, 'video.generated');
    await publish(older);
    await publish(foreign);
    const marker = makeEditStatus(TENANT, 'metrics.computed');
    await publish(marker);
    await settled(marker.eventId);
    expect(await deliveriesOf(event.eventId)).toHaveLength(1);
    expect(receiver.forEvent(event.eventId)).toHaveLength(1);
    expect(await deliveriesOf(older.eventId)).toEqual([]);
    expect(await deliveriesOf(foreign.eventId)).toEqual([]);
    // And the (endpoint, event) pair is unique whoever writes it.
    const again = await db.prisma.$transaction((tx) =>
      deliveries.createForEvent(tx, TENANT, [
        { endpointId: all.id, eventId: event.eventId, eventType: 'x', editId: event.editId, body: '{}' },
      ]),
    );
    expect(again).toBe(0);
  });
});

describe('one delivery per history entry', () => {
  it("an entry the edits service's relay publishes again after a crash (same entry, same id, a new message) is delivered once, with the entry's id", async () => {
    const editId = randomUUID();
    const first = makeEditStatus(TENANT, 'video.progress', { editId, seq: 5 });
    await publish(first);
    await settled(first.eventId);
    // The relay sent it, crashed before marking it sent, and sends the outbox row again.
    await publish(makeEditStatus(TENANT, 'video.progress', { editId, seq: 5 }));
    const next = makeEditStatus(TENANT, 'video.progress', { editId, seq: 6 });
    await publish(next);
    await settled(next.eventId);
    expect(first.eventId).toBe(historyEntryEventId(editId, 5));
    expect(await deliveriesOf(first.eventId)).toHaveLength(1);
    expect(receiver.forEvent(first.eventId).map((r) => JSON.parse(r.body).id)).toEqual([first.eventId]);
    expect(receiver.forEvent(next.eventId)).toHaveLength(1);
  });
});

describe('signatures and failures', () => {
  it('a receiver holding a wrong secret fails verification; the delivery is retried, then marked failed', async () => {
    receiver.secret = `whsec_${randomBytes(32).toString('base64url')}`;
    const event = makeEditStatus(TENANT, 'edit.failed', { status: 'FAILED' });
    await publish(event);
    const [delivery] = await settled(event.eventId);
    expect(delivery).toMatchObject({
      status: 'FAILED',
      attemptCount: SCHEDULE.maxAttempts,
      lastStatusCode: 401,
    });
    expect(delivery.attempts.map((a) => a.statusCode)).toEqual([401, 401, 401]);
    expect(receiver.forEvent(event.eventId).map((r) => r.verified)).toEqual([false, false, false]);

    // With the right secret, a redelivery starts a new round and succeeds.
    receiver.secret = all.secret;
    const again = await log.redeliver(TENANT, delivery.id);
    expect(again.status).toBe('PENDING');
    dispatcher.wake();
    const [done] = await waitFor('the redelivery', async () => {
      const rows = await deliveriesOf(event.eventId);
      return rows[0].status === 'SUCCEEDED' ? rows : undefined;
    });
    expect(done.attempts.map((a) => [a.attempt, a.statusCode])).toEqual([
      [1, 401],
      [2, 401],
      [3, 401],
      [4, 200],
    ]);
  });

  it('after a rotation, both secrets verify during the grace period and the new one is what is shown', async () => {
    const rotated = await endpoints.rotateSecret(TENANT, all.id);
    expect(rotated.secret).not.toBe(all.secret);
    expect(rotated.previousSecretExpiresAt!.getTime()).toBeGreaterThan(Date.now());
    const event = makeEditStatus(TENANT, 'edit.cancelled', { status: 'CANCELLED' });
    receiver.secret = all.secret; // the receiver has not switched yet
    await publish(event);
    const [delivery] = await settled(event.eventId);
    expect(delivery.status).toBe('SUCCEEDED');
    const [got] = receiver.forEvent(event.eventId);
    expect(got.headers['f2f-signature']).toMatch(/^t=\d+,v1=[0-9a-f]{64},v1=[0-9a-f]{64}$/);
    const { receiverVerifies } = await import('../../../../test/support/webhook-receiver');
    expect(receiverVerifies(got.body, got.headers['f2f-signature'] as string, rotated.secret)).toBe(true);
    all.secret = rotated.secret;
  });

  it('an endpoint that does not answer times out; the attempt records no status and the error', async () => {
    receiver.hang = true;
    const event = makeEditStatus(TENANT, 'video.progress');
    await publish(event);
    const delivery = await waitFor('a timed-out attempt', async () => {
      const [row] = await deliveriesOf(event.eventId);
      return row?.attempts.length ? row : undefined;
    });
    expect(delivery.attempts[0]).toMatchObject({
      attempt: 1,
      statusCode: null,
      error: `timed out after ${TIMEOUT_MS} ms`,
    });
    expect(delivery.attempts[0].latencyMs).toBeGreaterThanOrEqual(TIMEOUT_MS - 50);
    receiver.hang = false;
    expect((await settled(event.eventId))[0].status).toBe('SUCCEEDED');
  });

  it('refuses to send to a private address when private networks are not allowed (checked at connect time)', async () => {
    const strict = new HttpWebhookSender({ timeoutMs: TIMEOUT_MS, allowPrivateNetworks: false });
    const byIp = await strict.send({ url: receiver.url, headers: {}, body: '{}' });
    expect(byIp).toMatchObject({
      statusCode: null,
      error: expect.stringMatching(/loopback, private or link-local/),
    });
    const byName = await strict.send({
      url: receiver.url.replace('127.0.0.1', 'localhost'),
      headers: {},
      body: '{}',
    });
    expect(byName).toMatchObject({
      statusCode: null,
      error: expect.stringMatching(/resolves to .*loopback/),
    });
  });
});

describe('the dispatcher', () => {
  it('with two replicas on the same table, sends every delivery exactly once (FOR UPDATE SKIP LOCKED)', async () => {
    await dispatcher.stop();
    const replicaDb = createDatabase({ url: db.url, poolSize: 5 });
    try {
      const events = Array.from({ length: 40 }, () => makeEditStatus(TENANT, 'video.progress'));
      await db.prisma.$transaction((tx) =>
        deliveries.createForEvent(
          tx,
          TENANT,
          events.map((e) => ({
            endpointId: all.id,
            eventId: e.eventId,
            eventType: 'video.progress',
            editId: e.editId,
            body: JSON.stringify({ id: e.eventId }),
          })),
        ),
      );
      const replicas = [
        makeDispatcher(db.prisma, { batchSize: 3 }),
        makeDispatcher(replicaDb, { batchSize: 3 }),
      ];
      replicas.forEach((r) => r.start());
      await waitFor(
        'every delivery sent',
        async () =>
          (await db.prisma.webhookDelivery.count({
            where: { eventId: { in: events.map((e) => e.eventId) }, status: 'SUCCEEDED' },
          })) === 40,
      );
      await Promise.all(replicas.map((r) => r.stop()));
      for (const e of events) expect(receiver.forEvent(e.eventId)).toHaveLength(1);
      const attempts = await db.prisma.webhookAttempt.count({
        where: { delivery: { eventId: { in: events.map((e) => e.eventId) } } },
      });
      expect(attempts).toBe(40);
    } finally {
      await replicaDb.$disconnect();
      dispatcher = makeDispatcher(db.prisma);
      dispatcher.start();
    }
  });

  it('sends again a delivery whose claim lapsed (a replica died mid-attempt): the schedule is in the database', async () => {
    await dispatcher.stop();
    const event = makeEditStatus(TENANT, 'metrics.computed');
    await db.prisma.$transaction((tx) =>
      deliveries.createForEvent(tx, TENANT, [
        {
          endpointId: all.id,
          eventId: event.eventId,
          eventType: 'metrics.computed',
          editId: event.editId,
          body: '{"a":1}',
        },
      ]),
    );
    const [claimed] = await deliveries.claimDue(10, 300); // claimed, then the "replica" is gone
    expect(claimed).toMatchObject({ eventId: event.eventId, attempt: 1, attemptInRound: 1 });
    expect(await deliveries.claimDue(10, 300)).toEqual([]); // nobody else takes it while claimed
    dispatcher = makeDispatcher(db.prisma); // a fresh process
    dispatcher.start();
    const [row] = await settled(event.eventId);
    expect(row).toMatchObject({ status: 'SUCCEEDED', attemptCount: 2 });
    expect(row.attempts.map((a) => a.attempt)).toEqual([2]);
    expect(receiver.forEvent(event.eventId)[0].headers['f2f-delivery-attempt']).toBe('2');
  });
});

describe('endpoints and the delivery log, per tenant', () => {
  it("another tenant's endpoint or delivery is not found, for reading and for every change", async () => {
    const notFound = async (p: Promise<unknown>) => {
      await expect(p).rejects.toBeInstanceOf(DomainError);
      await expect(p).rejects.toMatchObject({ code: ErrorCode.NotFound });
    };
    expect(await endpoints.get(OTHER, all.id)).toBeNull();
    expect(await endpoints.list(OTHER)).toEqual([]);
    await notFound(endpoints.update(OTHER, all.id, { enabled: false }));
    await notFound(endpoints.rotateSecret(OTHER, all.id));
    await notFound(endpoints.delete(OTHER, all.id));
    const [mine] = (await log.page(TENANT, all.id, { first: 1 })).rows;
    expect(mine).toBeDefined();
    expect(await log.get(OTHER, mine.id)).toBeNull();
    expect((await log.page(OTHER, all.id, { first: 10 })).rows).toEqual([]);
    await notFound(log.redeliver(OTHER, mine.id));
    expect((await endpoints.get(TENANT, all.id))!.enabled).toBe(true);
  });

  it('pages the log newest first with a stable cursor and filters by status', async () => {
    const total = await deliveries.count(TENANT, all.id);
    const seen: string[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await log.page(TENANT, all.id, { first: 7, after });
      seen.push(...page.rows.map((r) => r.id));
      if (!page.hasNextPage) break;
      const last = page.rows.at(-1)!;
      after = (await import('../deliveries/delivery-log.service')).encodeDeliveryCursor(last);
    }
    expect(seen).toHaveLength(total);
    expect(new Set(seen).size).toBe(total);
    const failed = await log.page(TENANT, all.id, { first: 100, status: ['FAILED'] });
    expect(failed.totalCount).toBe(failed.rows.length);
    expect(failed.rows.every((r) => r.status === 'FAILED')).toBe(true);
    await expect(log.page(TENANT, all.id, { first: 0 })).rejects.toMatchObject({
      code: ErrorCode.InvalidInput,
    });
    await expect(log.page(TENANT, all.id, { first: 5, after: 'nonsense' })).rejects.toMatchObject({
      code: ErrorCode.InvalidInput,
    });
  });

  it('caps endpoints per tenant (CONFLICT), and validates URLs and event types (BAD_USER_INPUT)', async () => {
    const strict = new WebhookEndpointsService(
      new PrismaWebhookEndpointsRepository(db.prisma),
      box,
      {
        allowHttp: false,
        allowPrivateNetworks: false,
        maxEndpointsPerTenant: MAX_ENDPOINTS,
        rotationGraceMs: 0,
      },
      systemClock,
    );
    await expect(strict.create(OTHER, { url: 'http://example.com/h' })).rejects.toMatchObject({
      code: ErrorCode.InvalidInput,
    });
    await expect(strict.create(OTHER, { url: 'https://127.0.0.1/h' })).rejects.toMatchObject({
      code: ErrorCode.InvalidInput,
    });
    await expect(
      strict.create(OTHER, { url: 'https://example.com/h', events: ['edit.exploded'] }),
    ).rejects.toMatchObject({
      code: ErrorCode.InvalidInput,
    });
    // Text Postgres cannot store faithfully is refused, not stored as U+FFFD or failing as INTERNAL.
    await expect(
      strict.create(OTHER, { url: 'https://example.com/h', description: 'hooks \ud800' }),
    ).rejects.toMatchObject({ code: ErrorCode.InvalidInput, message: expect.stringMatching(/lone UTF-16/) });
    await expect(
      strict.create(OTHER, { url: 'https://example.com/h\u0000', description: 'x' }),
    ).rejects.toMatchObject({ code: ErrorCode.InvalidInput, message: expect.stringMatching(/NUL/) });
    await expect(strict.create(OTHER, { url: 'https://example.com/h', events: [] })).rejects.toMatchObject({
      code: ErrorCode.InvalidInput,
    });
    const created = await Promise.all(
      Array.from({ length: MAX_ENDPOINTS + 3 }, (_, i) =>
        strict
          .create(OTHER, { url: `https://example.com/h${i}`, events: ['frame.selected', 'edit.failed'] })
          .then(
            (r) => r,
            (e: DomainError) => e,
          ),
      ),
    );
    expect(created.filter((c) => c instanceof DomainError && c.code === ErrorCode.Conflict)).toHaveLength(3);
    expect(await endpoints.list(OTHER)).toHaveLength(MAX_ENDPOINTS);
    expect((await endpoints.list(OTHER))[0].eventTypes).toEqual(['frame.selected', 'edit.failed']);
    // Stored secrets are encrypted: no row holds a secret in the clear.
    const rows = await db.prisma.webhookEndpoint.findMany({ where: { tenantId: OTHER } });
    for (const row of rows) expect(row.secretCiphertext).toMatch(/^v1\./);
  });
});
