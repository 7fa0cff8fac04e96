import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { sleep } from '@f2f/common';
import { REPO_ROOT, type RunningPlatform, startPlatform } from '@f2f/launcher';

import { createTestDatabase, type TestDatabase } from '../support/database';
import { testInfrastructure } from '../support/env';
import { makeImage } from '../support/factories';

jest.setTimeout(300_000);

interface GraphqlResponse<T> {
  data?: T;
  errors?: { message: string; extensions?: { code?: string } }[];
}

let db: TestDatabase;
let platform: RunningPlatform;
let blobDir: string;

async function gql<T>(query: string, variables: Record<string, unknown> = {}): Promise<GraphqlResponse<T>> {
  const res = await fetch(platform.gatewayUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  return (await res.json()) as GraphqlResponse<T>;
}

const CREATE = `mutation Create($input: CreateEditInput!) { createEdit(input: $input) { id status targetCaption } }`;

async function createEdit(image: Buffer, targetCaption = 'A photo of a sitting dog.'): Promise<string> {
  const res = await gql<{ createEdit: { id: string; status: string } }>(CREATE, {
    input: { imageBase64: image.toString('base64'), targetCaption, options: { seed: 1234 } },
  });
  expect(res.errors).toBeUndefined();
  expect(res.data!.createEdit.status).toBe('SUBMITTED');
  return res.data!.createEdit.id;
}

async function waitForStatus(id: string, statuses: string[], timeoutMs = 180_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    const res = await gql<{ edit: { status: string } | null }>(
      `query($id: ID!) { edit(id: $id) { status } }`,
      { id },
    );
    last = res.data?.edit?.status ?? `errors: ${JSON.stringify(res.errors)}`;
    if (statuses.includes(last)) return last;
    await sleep(500);
  }
  throw new Error(`edit ${id} is ${last}, not ${statuses.join('|')}, after ${timeoutMs} ms`);
}

beforeAll(async () => {
  const { kafkaBrokers } = testInfrastructure();
  db = await createTestDatabase('e2e');
  blobDir = await mkdtemp(path.join(os.tmpdir(), 'f2f-e2e-blobs-'));
  platform = await startPlatform({
    databaseUrl: db.url,
    kafkaBrokers,
    topicPrefix: `e2e${randomBytes(4).toString('hex')}.`,
    blobDir,
    logDir: path.join(REPO_ROOT, '.cache', 'test-logs', `e2e-${Date.now()}`),
    stepDelayMs: 5,
    env: { edits: { MAX_IMAGE_BYTES: String(2 * 1024 * 1024) } },
  });
});

afterAll(async () => {
  await platform?.stop();
  await db?.drop();
});

describe('an edit through the whole platform', () => {
  it('goes from submitted to completed with 49 stored frames, a selection, metrics and its history in order', async () => {
    const id = await createEdit(await makeImage(320, 240));
    expect(await waitForStatus(id, ['COMPLETED', 'FAILED'])).toBe('COMPLETED');

    const res = await gql<{
      edit: {
        temporalCaption: string;
        captionProvenance: string;
        progress: { step: number; totalSteps: number; framesReady: number; totalFrames: number };
        frames: {
          id: string;
          index: number;
          blobKey: string;
          bytes: number;
          sha256: string;
          width: number;
          height: number;
          metrics: { ssim: number; psnr: number } | null;
        }[];
        selectedFrame: { index: number; id: string } | null;
        selectionPolicy: string;
        history: { seq: number; type: string; occurredAt: string }[];
      };
    }>(
      `query($id: ID!) { edit(id: $id) {
        temporalCaption captionProvenance
        progress { step totalSteps framesReady totalFrames }
        frames { id index blobKey bytes sha256 width height metrics { ssim psnr } }
        selectedFrame { id index } selectionPolicy
        history { seq type occurredAt }
      } }`,
      { id },
    );
    expect(res.errors).toBeUndefined();
    const edit = res.data!.edit;
    expect(edit.temporalCaption).toContain('a sitting dog');
    expect(edit.captionProvenance).toBe('template');
    expect(edit.progress).toEqual({ step: 50, totalSteps: 50, framesReady: 49, totalFrames: 49 });

    // 49 frames, each a file in the blob store with the recorded digest, and a row in Postgres.
    expect(edit.frames.map((f) => f.index)).toEqual(Array.from({ length: 49 }, (_, i) => i));
    for (const frame of edit.frames) {
      const file = await readFile(path.join(blobDir, frame.blobKey));
      expect(file.length).toBe(frame.bytes);
      expect(createHash('sha256').update(file).digest('hex')).toBe(frame.sha256);
      expect([frame.width, frame.height]).toEqual([720, 480]);
    }
    expect(await db.prisma.frame.count({ where: { editId: id } })).toBe(49);

    expect(edit.selectedFrame?.index).toBe(48);
    expect(edit.selectionPolicy).toBe('last-frame');

    // Metrics for every frame: frame 0 is the (letterboxed) source itself; the path drifts away.
    expect(edit.frames.every((f) => f.metrics !== null)).toBe(true);
    expect(edit.frames[0].metrics).toEqual({ ssim: 1, psnr: 100 });
    expect(edit.frames[48].metrics!.ssim).toBeLessThan(edit.frames[1].metrics!.ssim);
    expect(await db.prisma.frameMetric.count({ where: { editId: id } })).toBe(49);

    // The history: strictly increasing sequence, each stage once, in causal order.
    const types = edit.history.map((h) => h.type);
    const seqs = edit.history.map((h) => h.seq);
    expect(new Set(seqs).size).toBe(seqs.length);
    for (const once of [
      'edit.requested',
      'caption.completed',
      'video.generated',
      'frame.selected',
      'metrics.computed',
    ]) {
      expect(types.filter((t) => t === once)).toHaveLength(1);
    }
    expect(types.filter((t) => t === 'video.progress').length).toBeGreaterThanOrEqual(2);
    const first = (t: string) => types.indexOf(t);
    expect(first('edit.requested')).toBe(0);
    expect(first('caption.completed')).toBeLessThan(first('video.progress'));
    expect(first('video.progress')).toBeLessThan(first('video.generated'));
    expect(first('video.generated')).toBeLessThan(first('frame.selected'));
    expect(first('video.generated')).toBeLessThan(first('metrics.computed'));
    const times = edit.history.map((h) => Date.parse(h.occurredAt));
    expect([...times].sort((a, b) => a - b)).toEqual(times);
  });

  it('refuses bad input with a machine-readable code and publishes nothing', async () => {
    const outboxBefore = await db.prisma.outboxEvent.count({ where: { producer: 'edits' } });
    const editsBefore = await db.prisma.edit.count();
    const image = await makeImage(64, 64);
    const cases: [string, Record<string, unknown>, string][] = [
      [
        'bytes that are not an image',
        { imageBase64: randomBytes(5000).toString('base64'), targetCaption: 'A cat.' },
        'INVALID_IMAGE',
      ],
      [
        'a truncated image',
        { imageBase64: image.subarray(0, image.length / 2).toString('base64'), targetCaption: 'A cat.' },
        'INVALID_IMAGE',
      ],
      [
        'an empty caption',
        { imageBase64: image.toString('base64'), targetCaption: '   ' },
        'INVALID_CAPTION',
      ],
      [
        'an image over the size limit',
        { imageBase64: randomBytes(3 * 1024 * 1024).toString('base64'), targetCaption: 'A cat.' },
        'IMAGE_TOO_LARGE',
      ],
      [
        'an out-of-range option',
        { imageBase64: image.toString('base64'), targetCaption: 'A cat.', options: { steps: 0 } },
        'BAD_USER_INPUT',
      ],
    ];
    for (const [name, input, code] of cases) {
      const res = await gql(CREATE, { input });
      expect({ name, data: res.data ?? null, code: res.errors?.[0]?.extensions?.code }).toEqual({
        name,
        data: null,
        code,
      });
    }
    const unknownField = await gql(CREATE, {
      input: { imageBase64: image.toString('base64'), targetCaption: 'x', turbo: true },
    });
    expect(unknownField.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(await db.prisma.outboxEvent.count({ where: { producer: 'edits' } })).toBe(outboxBefore);
    expect(await db.prisma.edit.count()).toBe(editsBefore);
  });

  it('answers null for an edit that does not exist', async () => {
    const res = await gql<{ edit: unknown }>(
      `query { edit(id: "00000000-0000-4000-8000-000000000000") { id } }`,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!.edit).toBeNull();
  });
});

describe('a crash of the captioning service', () => {
  it('loses and duplicates no edit when captioning is killed (SIGKILL) mid-flight and restarted', async () => {
    const image = await makeImage(200, 300, 'jpeg');
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push(await createEdit(image, `A photo of dog number ${i}.`));
    await platform.kill('captioning', 'SIGKILL');
    for (let i = 3; i < 6; i++) ids.push(await createEdit(image, `A photo of dog number ${i}.`));
    await sleep(1000);
    await platform.start('captioning');

    for (const id of ids) expect(await waitForStatus(id, ['COMPLETED', 'FAILED'])).toBe('COMPLETED');
    for (const id of ids) {
      expect(await db.prisma.caption.count({ where: { editId: id } })).toBe(1);
      expect(await db.prisma.frame.count({ where: { editId: id } })).toBe(49);
      const history = await db.prisma.editEvent.groupBy({
        by: ['type'],
        where: { editId: id },
        _count: true,
      });
      const count = Object.fromEntries(history.map((h) => [h.type, h._count]));
      expect(count).toMatchObject({
        'edit.requested': 1,
        'caption.completed': 1,
        'video.generated': 1,
        'frame.selected': 1,
        'metrics.computed': 1,
      });
    }
    const captionsPublished = await db.prisma.outboxEvent.count({
      where: { producer: 'captioning', topic: { endsWith: 'caption.completed' } },
    });
    expect(captionsPublished).toBe(await db.prisma.caption.count());
  });
});
