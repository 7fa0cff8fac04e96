import { createDatabase, type PrismaClient as ServiceClient } from '../../database';
import { randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { createLogger, sleep } from '@f2f/common';
import {
  decodeEnvelope,
  type EventEnvelope,
  type EventPayloads,
  generationOptionsSchema,
  historyEntryEventId,
  makeEnvelope,
  Topic,
  topicName,
} from '@f2f/contracts';
import type { TenantId } from '@f2f/database';
import type { Edit } from '../../database';
import { createKafka, ensureTopics, EventConsumer, OutboxRelay, OutboxWriter } from '@f2f/messaging';
import { FilesystemBlobStore } from '@f2f/storage';
import type { Consumer, Kafka, Producer } from 'kafkajs';

import { createTestDatabase, type TestDatabase } from '../../../../../test/support/database';
import { testInfrastructure } from '../../../../../test/support/env';
import { makeEdit, makeEditEvent, makeTenant } from '../../__tests__/factories';
import { LosslessFrames } from '../../lossless-frames/lossless-frames';
import { prismaRepositories } from '../../testing/prisma-repositories';
import { type HistoryEntry, replayUpdates } from '../edit-update';
import type { PathVideoWorker } from '../../path-videos/path-video.worker';
import { RecordStageEventUseCase } from '../record-stage-event.use-case';
import { StageEventsHandler } from '../stage-events.handler';

// Real parts: Postgres (a database of this file), a Kafka broker (a topic prefix of this file),
// libs/messaging's consumer with its inbox, and the outbox relay publishing edit.status.

jest.setTimeout(90_000);

const prefix = `once${randomBytes(4).toString('hex')}.`;
const logger = createLogger('test', 'silent');
const FRAMES = 49;
const STEPS = 50;

let db: TestDatabase<ServiceClient>;
let kafka: Kafka;
let producer: Producer;
let consumer: EventConsumer;
let relay: OutboxRelay;
let statusReader: Consumer;
let tenant: TenantId;
const pathVideoRequests: string[] = [];
const announced: EventEnvelope<Topic.EditStatus>[] = [];

async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | false>,
  ms = 30_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

beforeAll(async () => {
  db = await createTestDatabase('history_once', createDatabase);
  kafka = createKafka({
    clientId: 'edits-history-test',
    brokers: testInfrastructure().kafkaBrokers.split(','),
    topicPrefix: prefix,
    logger,
  });
  await ensureTopics(kafka, prefix);
  producer = kafka.producer();
  await producer.connect();
  const outbox = new OutboxWriter('edits', prefix);
  consumer = new EventConsumer(kafka, producer, db.prisma, outbox, logger, {
    consumerName: 'edits',
    topicPrefix: prefix,
  });
  const repos = prismaRepositories(db.prisma, outbox);
  new StageEventsHandler(
    consumer,
    new RecordStageEventUseCase(repos.edits, repos.history, repos.frames),
    // Path videos are not this test's subject: the edits it asks for are recorded.
    {
      request: (_tenantId: string, editId: string) => void pathVideoRequests.push(editId),
    } as PathVideoWorker,
    new LosslessFrames(
      repos.edits,
      new FilesystemBlobStore(await mkdtemp(path.join(os.tmpdir(), 'f2f-once-blobs-'))),
      logger,
    ),
  ).onModuleInit();
  await consumer.start();
  relay = new OutboxRelay(db.prisma, producer, logger, { producerName: 'edits', pollIntervalMs: 50 });
  await relay.start();
  statusReader = kafka.consumer({ groupId: `${prefix}status-reader` });
  await statusReader.connect();
  await statusReader.subscribe({ topic: topicName(prefix, Topic.EditStatus), fromBeginning: true });
  await statusReader.run({
    eachMessage: async ({ message }) => {
      announced.push(decodeEnvelope(message.value) as EventEnvelope<Topic.EditStatus>);
    },
  });
  tenant = await makeTenant(db.prisma);
});

afterAll(async () => {
  await statusReader?.disconnect();
  await relay?.stop();
  await consumer?.stop();
  await producer?.disconnect();
  await db?.drop();
});

/** Publishes stage events to Kafka as their producers would, and waits until the edits service handled them. */
async function deliver(events: EventEnvelope<Topic>[]): Promise<void> {
  for (const event of events) {
    await producer.send({
      topic: topicName(prefix, event.type),
      acks: -1,
      messages: [{ key: event.editId, value: JSON.stringify(event) }],
    });
  }
  const ids = events.map((e) => e.eventId);
  await waitFor('the edits service to handle every event', async () => {
    const done = await db.prisma.processedEvent.count({ where: { consumer: 'edits', eventId: { in: ids } } });
    return done === new Set(ids).size;
  });
}

const event = <T extends Topic>(edit: Edit, type: T, payload: EventPayloads[T]) =>
  makeEnvelope({ type, editId: edit.id, tenantId: edit.tenantId, payload } as never) as EventEnvelope<T>;

const frameRef = (edit: Edit, index: number) => ({
  candidate: 0,
  index,
  frameId: `00000000-0000-4000-8000-${index.toString().padStart(12, '0')}`,
  blobKey: `tenants/${edit.tenantId}/edits/${edit.id}/frames/0/${index}.png`,
});
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, k) => from + k);

function denoising(edit: Edit, worker: string, step: number) {
  return event(edit, Topic.VideoProgress, {
    candidate: 0,
    worker,
    phase: 'denoising',
    step,
    totalSteps: STEPS,
    framesReady: 0,
    totalFrames: FRAMES,
    frames: [],
  });
}

/** A frames-phase progress event of one attempt, listing `indices` (frames before them are ready too). */
function framesLanded(edit: Edit, worker: string, indices: number[]) {
  return event(edit, Topic.VideoProgress, {
    candidate: 0,
    worker,
    phase: 'frames',
    step: STEPS,
    totalSteps: STEPS,
    framesReady: indices[indices.length - 1] + 1,
    totalFrames: FRAMES,
    frames: indices.map((i) => frameRef(edit, i)),
  });
}

const source = {
  targetCaption: 'A photo of a sitting dog.',
  sourceKey: 'k/source.png',
  groundTruthKey: null,
};

function captioned(edit: Edit) {
  return event(edit, Topic.CaptionCompleted, {
    ...source,
    temporalCaption: 'The dog sits down.',
    provenance: 'template',
    sourceWidth: 320,
    sourceHeight: 240,
    options: generationOptionsSchema.parse({ seed: 1 }),
  });
}

function generated(edit: Edit, worker: string, attempts: number) {
  return event(edit, Topic.VideoGenerated, {
    ...source,
    temporalCaption: 'The dog sits down.',
    model: 'preview',
    generator: 'preview',
    width: 320,
    height: 240,
    candidates: [{ candidate: 0, seed: 1, computeSeconds: 3, worker, attempts }],
    frames: range(0, FRAMES - 1).map((i) => frameRef(edit, i)),
    computeSeconds: 3,
    selection: 'vlm',
  });
}

const selected = (edit: Edit, frameIndex: number) =>
  event(edit, Topic.FrameSelected, {
    candidate: 0,
    frameIndex,
    frameId: frameRef(edit, frameIndex).frameId,
    policy: 'vlm',
    reason: `frame ${frameIndex}`,
    collageKeys: [],
  });

const measured = (edit: Edit) =>
  event(edit, Topic.MetricsComputed, {
    frameCount: FRAMES,
    metrics: ['ssim'],
    mean: { ssim: 0.8 },
    selection: 'vlm',
    series: [],
  });

async function newEdit(): Promise<Edit> {
  const edit = await makeEdit(db.prisma, tenant, {
    status: 'CAPTIONING',
    selectedCandidate: null,
    selectedFrameIndex: null,
    selectionPolicy: null,
    selectionReason: null,
    metricsReady: false,
    historySeq: 1,
    progressTotal: STEPS,
  });
  await makeEditEvent(db.prisma, edit, 1, Topic.EditRequested, new Date(Date.now() - 1000));
  return edit;
}

const historyOf = async (edit: Edit): Promise<HistoryEntry[]> =>
  (await db.prisma.editEvent.findMany({ where: { editId: edit.id }, orderBy: { seq: 'asc' } })).map((r) => ({
    seq: r.seq,
    type: r.type,
    payload: r.payload,
    occurredAt: r.occurredAt,
  }));

describe('each history entry once, however often its stage event is published', () => {
  it('a generation retried on another worker, and every stage re-published, gives one entry per transition, step and frame, each announced once', async () => {
    const edit = await newEdit();
    // The caption, then the first worker: steps 1, 25, 50 and frames 0-19 before it dies.
    await deliver([captioned(edit), captioned(edit)]);
    await deliver([denoising(edit, 'w1', 1), denoising(edit, 'w1', 25), denoising(edit, 'w1', STEPS)]);
    await deliver([framesLanded(edit, 'w1', range(0, 9)), framesLanded(edit, 'w1', range(10, 19))]);
    // The retry on w2 reports its own steps and frames from the start, grouped otherwise: 15-24
    // overlaps what was listed (20-24 are new).
    await deliver([denoising(edit, 'w2', 1), denoising(edit, 'w2', 30), denoising(edit, 'w2', STEPS)]);
    await deliver([framesLanded(edit, 'w2', range(0, 14)), framesLanded(edit, 'w2', range(15, 24))]);
    await deliver([framesLanded(edit, 'w2', range(25, 48))]);
    // The generation re-run after a crash publishes video.generated again; so do the later stages.
    await deliver([generated(edit, 'w2', 2), generated(edit, 'w3', 1)]);
    await deliver([selected(edit, 12), measured(edit), selected(edit, 12), measured(edit)]);

    const history = await historyOf(edit);
    const count = (type: string) => history.filter((h) => h.type === type).length;
    expect(
      [
        Topic.EditRequested,
        Topic.CaptionCompleted,
        Topic.VideoGenerated,
        Topic.FrameSelected,
        Topic.MetricsComputed,
      ].map(count),
    ).toEqual([1, 1, 1, 1, 1]);
    const progress = history.filter((h) => h.type === Topic.VideoProgress);
    const payloads = progress.map((h) => h.payload as EventPayloads[Topic.VideoProgress]);
    expect(payloads.filter((p) => p.phase === 'denoising').map((p) => p.step)).toEqual([1, 25, STEPS]);
    const listed = payloads.map((p) => p.frames.map((f) => f.index));
    // The retry's steps and its frames 0-14 added nothing; of 15-24, only 20-24 were new.
    expect(listed).toEqual([[], [], [], range(0, 9), range(10, 19), range(20, 24), range(25, 48)]);
    expect(listed.flat().sort((a, b) => a - b)).toEqual(range(0, FRAMES - 1));
    // framesReady counts the distinct frames listed so far.
    expect(payloads.slice(3).map((p) => p.framesReady)).toEqual([10, 20, 25, 49]);
    expect(history.map((h) => h.seq)).toEqual(range(1, history.length));

    // The edit converged.
    const after = await db.prisma.edit.findUniqueOrThrow({ where: { id: edit.id } });
    expect(after).toMatchObject({ status: 'COMPLETED', framesReady: FRAMES, historySeq: history.length });
    // Once every frame was stored (video.generated), its path videos were asked for.
    expect(pathVideoRequests).toContain(edit.id);

    // Edit.updates (replay) lists each frame once.
    const updates = replayUpdates(history, 0);
    expect(updates.flatMap((u) => u.frames.map((f) => f.index))).toEqual(range(0, FRAMES - 1));
    expect(updates[updates.length - 1].status).toBe('COMPLETED');

    // edit.status: one announcement per entry after edit.requested, each with the entry's own id.
    const mine = await waitFor('the announcements on Kafka', async () => {
      const got = announced.filter((a) => a.editId === edit.id);
      return got.length >= history.length - 1 && got;
    });
    await sleep(500);
    const final = announced.filter((a) => a.editId === edit.id);
    expect(final).toHaveLength(mine.length);
    expect(final.map((a) => a.payload.seq)).toEqual(range(2, history.length));
    expect(final.map((a) => a.eventId)).toEqual(
      range(2, history.length).map((s) => historyEntryEventId(edit.id, s)),
    );
  });

  it('a redelivered status announcement (the relay re-publishing after a crash) carries the same id', async () => {
    const edit = await newEdit();
    await deliver([captioned(edit)]);
    const ids = () => announced.filter((a) => a.editId === edit.id).map((a) => a.eventId);
    await waitFor('the announcement', async () => ids().length === 1);
    // The relay crashed after sending and before marking: it sends the row again.
    await db.prisma.outboxEvent.updateMany({
      where: { eventId: historyEntryEventId(edit.id, 2) },
      data: { publishedAt: null },
    });
    relay.notify();
    await waitFor('the second publication', async () => ids().length === 2);
    expect(ids()).toEqual([historyEntryEventId(edit.id, 2), historyEntryEventId(edit.id, 2)]);
    expect(await db.prisma.editEvent.count({ where: { editId: edit.id } })).toBe(2);
  });
});
