import { randomUUID } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { createLogger } from '@f2f/common';
import {
  type AnyEventEnvelope,
  type EventEnvelope,
  type EventPayloads,
  generationOptionsSchema,
  makeEnvelope,
  parseEnvelope,
  Topic,
} from '@f2f/contracts';
import type { Edit, PrismaClient as EditsClient } from '../../services/edits/src/database';
import {
  createDatabase,
  type PrismaClient as ServiceClient,
} from '../../services/video-generation/src/database';
import { DEFAULT_FRAME_ENCODING } from '@f2f/imaging';
import { OutboxWriter } from '@f2f/messaging';
import { type BlobStore, FilesystemBlobStore } from '@f2f/storage';

import { createTestDatabase, type TestDatabase } from '../support/database';
import { makeImage } from '../support/factories';
import { inboxContext } from '../support/handler-context';
import { editsDatabase } from '../support/service-databases';
import { makeEdit, makeEditEvent, makeTenant } from '../../services/edits/src/__tests__/factories';
import type { StageEvent } from '../../services/edits/src/stage-events/edit-state';
import { replayUpdates } from '../../services/edits/src/stage-events/edit-update';
import { RecordStageEventUseCase } from '../../services/edits/src/stage-events/record-stage-event.use-case';
import { prismaRepositories } from '../../services/edits/src/testing/prisma-repositories';
import { previewConfigSchema } from '../../services/preview-generator/src/config';
import { type RunningServer, startPreviewServer } from '../../services/preview-generator/src/server';
import { PrismaCancelledEditsRepository } from '../../services/video-generation/src/generation/cancelled-edits.repository';
import { StaticEndpoints } from '../../services/video-generation/src/generation/endpoints';
import {
  frameId,
  GenerateVideoUseCase,
} from '../../services/video-generation/src/generation/generate-video.use-case';
import { PrismaOutboxRepository } from '../../services/video-generation/src/generation/outbox.repository';
import { RunningGenerations } from '../../services/video-generation/src/generation/running-generations';
import {
  type GenerationEvent,
  type VideoGenerator,
  WorkerPool,
} from '../../services/video-generation/src/generation/worker-pool';

// Real parts: two preview generators over gRPC on 127.0.0.1, Postgres (outbox, cancellations, and
// the edits service's history), a blob store on disk. The first worker is shut down mid-generation.

jest.setTimeout(120_000);

const FRAMES = 49;
const logger = createLogger('test', 'silent');
let db: TestDatabase<ServiceClient>;
let editsDb: EditsClient;
let blobs: BlobStore;
const servers: RunningServer[] = [];

async function worker(): Promise<{ server: RunningServer; address: string }> {
  const config = previewConfigSchema.parse({
    PORT: '0',
    HOST: '127.0.0.1',
    STEP_DELAY_MS: '5',
    MAX_CONCURRENT: '1',
  });
  const server = await startPreviewServer(config, logger);
  servers.push(server);
  return { server, address: `127.0.0.1:${server.port}` };
}

/** The pool, with the worker of the first attempt killed once it has streamed `killAfter` frames. */
class KillingGenerator implements VideoGenerator {
  constructor(
    private readonly pool: WorkerPool,
    private readonly workers: Map<string, RunningServer>,
    private readonly killAfter: number,
  ) {}

  async *generate(...args: Parameters<VideoGenerator['generate']>): AsyncIterable<GenerationEvent> {
    let current = '';
    let frames = 0;
    for await (const item of this.pool.generate(...args)) {
      if (item.kind === 'started') current = item.worker;
      yield item;
      if (item.kind === 'frame' && ++frames === this.killAfter) {
        this.workers.get(current)?.server.forceShutdown();
      }
    }
  }
}

beforeAll(async () => {
  db = await createTestDatabase('retried_generation', createDatabase);
  editsDb = db.connect(editsDatabase);
  blobs = new FilesystemBlobStore(await mkdtemp(path.join(os.tmpdir(), 'f2f-retry-')));
});
afterAll(async () => {
  for (const s of servers) s.server.forceShutdown();
  await db.drop();
});

async function captionCompleted(edit: Edit): Promise<EventEnvelope<Topic.CaptionCompleted>> {
  const sourceKey = `tenants/${edit.tenantId}/edits/${edit.id}/source.png`;
  await blobs.put(sourceKey, await makeImage(96, 64), 'image/png');
  return makeEnvelope({
    type: Topic.CaptionCompleted,
    editId: edit.id,
    tenantId: edit.tenantId,
    payload: {
      temporalCaption: 'The dog sits down.',
      provenance: 'template',
      targetCaption: 'A photo of a sitting dog.',
      sourceKey,
      sourceWidth: 96,
      sourceHeight: 64,
      groundTruthKey: null,
      options: generationOptionsSchema.parse({
        seed: 5,
        steps: 8,
        frames: FRAMES,
        outputWidth: 48,
        outputHeight: 32,
      }),
    },
  });
}

const outboxOf = async (edit: Edit): Promise<AnyEventEnvelope[]> =>
  (await db.prisma.outboxEvent.findMany({ where: { producer: 'video-generation' }, orderBy: { id: 'asc' } }))
    .map((r) => parseEnvelope(r.envelope))
    .filter((e) => e.editId === edit.id);

describe('a generation whose worker dies mid-stream', () => {
  it('is re-run on another worker: video.generated lists each frame once under the same ids, and the edit history lists each frame once', async () => {
    const [a, b] = [await worker(), await worker()];
    const pool = new WorkerPool(new StaticEndpoints([a.address, b.address]), {
      maxWorkerFailures: 3,
      coolDownMs: 5_000,
      busyRetryMs: 20,
    });
    const byAddress = new Map([
      [a.address, a.server],
      [b.address, b.server],
    ]);
    const tenant = await makeTenant(editsDb);
    const edit = await makeEdit(editsDb, tenant, {
      status: 'CAPTIONING',
      selectedCandidate: null,
      selectedFrameIndex: null,
      selectionPolicy: null,
      selectionReason: null,
      metricsReady: false,
      historySeq: 1,
      frameCount: FRAMES,
      steps: 8,
    });
    await makeEditEvent(editsDb, edit, 1, Topic.EditRequested, new Date());
    const outbox = new OutboxWriter('video-generation', 't.');
    const useCase = new GenerateVideoUseCase(
      outbox,
      new RunningGenerations(),
      new PrismaCancelledEditsRepository(db.prisma),
      new PrismaOutboxRepository(db.prisma, outbox),
      blobs,
      new KillingGenerator(pool, byAddress, 20),
      {
        deadlineMs: 60_000,
        progressMinIntervalMs: 0,
        frameEncoding: DEFAULT_FRAME_ENCODING,
        framesInFlight: 2,
      },
    );
    const caption = await captionCompleted(edit);
    await useCase.execute(caption, inboxContext(db.prisma, 'video-generation', caption));
    pool.close();

    // video-generation writes no frame rows: it announces them (the edits service records them).
    expect(await editsDb.frame.count({ where: { editId: edit.id } })).toBe(0);
    const published = await outboxOf(edit);
    const generated = published.filter((e) => e.type === Topic.VideoGenerated);
    expect(generated).toHaveLength(1);
    const { candidates, frames: listed } = generated[0].payload as EventPayloads[Topic.VideoGenerated];
    expect(candidates[0].attempts).toBe(2);
    expect(listed.map((f) => f.index)).toEqual([...Array(FRAMES).keys()]);
    expect(listed.map((f) => f.frameId)).toEqual(listed.map((f) => frameId(edit.id, 0, f.index)));
    expect(listed.every((f) => f.rawBlobKey && f.sha256 && f.bytes && f.width === 48 && f.seed === 5)).toBe(
      true,
    );
    // The retry announced its frames again from 0: the producer's progress lists the first ones twice.
    const progressed = published
      .filter((e) => e.type === Topic.VideoProgress)
      .flatMap((e) => (e.payload as EventPayloads[Topic.VideoProgress]).frames);
    expect(progressed.length).toBeGreaterThanOrEqual(FRAMES + 20);
    expect(new Set(progressed.map((f) => f.index)).size).toBe(FRAMES);
    expect(new Set(progressed.map((f) => f.frameId))).toEqual(new Set(listed.map((f) => f.frameId)));

    // The edits service records what the producer published (again, as a re-run would) once.
    const repositories = prismaRepositories(editsDb, new OutboxWriter('edits', 't.'));
    const edits = new RecordStageEventUseCase(repositories.edits, repositories.history, repositories.frames);
    for (const event of [...published, ...published.map((e) => ({ ...e, eventId: randomUUID() }))]) {
      await edits.execute(event as StageEvent, inboxContext(editsDb, 'edits', event));
    }
    const history = await editsDb.editEvent.findMany({
      where: { editId: edit.id },
      orderBy: { seq: 'asc' },
    });
    const updates = replayUpdates(history, 0);
    expect(updates.flatMap((u) => u.frames.map((f) => f.index))).toEqual([...Array(FRAMES).keys()]);
    expect(updates.filter((u) => u.type === Topic.VideoGenerated)).toHaveLength(1);
    const statuses = await editsDb.outboxEvent.count({ where: { producer: 'edits', key: edit.id } });
    expect(statuses).toBe(history.length - 1);
    expect(await editsDb.edit.findUniqueOrThrow({ where: { id: edit.id } })).toMatchObject({
      status: 'SELECTING',
      framesReady: FRAMES,
    });
  });
});
