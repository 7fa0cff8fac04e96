import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { sleep } from '@f2f/common';
import { REPO_ROOT, type RunningPlatform, type ServiceName, startPlatform } from '@f2f/launcher';
import { type Client, createClient } from 'graphql-ws';
import sharp from 'sharp';
import WebSocket from 'ws';

import type { PrismaClient as EditsClient } from '../../services/edits/src/database';
import {
  captioningDatabase,
  editsDatabase,
  frameSelectionDatabase,
  metricsDatabase,
  videoGenerationDatabase,
} from '../support/service-databases';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { testInfrastructure } from '../support/env';
import { makeImage } from '../support/factories';
import { billionLaughsSvg, withBadIdatCrc } from '../support/hostile-images';
import { FakeOpenAiServer } from '../support/fake-openai';

jest.setTimeout(300_000);

interface GraphqlResponse<T> {
  data?: T;
  errors?: { message: string; extensions?: { code?: string } }[];
}

let db: TestDatabase<EditsClient>;
let platform: RunningPlatform;
let blobDir: string;
/** The VLM endpoint double: an OpenAI-compatible chat-completions server. */
const vlm = new FakeOpenAiServer();
const VLM_CAPTION = 'The dog gradually lowers its back legs, settling into a seated position.';
/** The product frontend's origin, allowed by the gateway's CORS_ORIGINS. */
const FRONTEND_ORIGIN = 'https://app.frame2frame.test';

async function gql<T>(
  query: string,
  variables: Record<string, unknown> = {},
  key: string = platform.apiKey,
): Promise<GraphqlResponse<T>> {
  const res = await fetch(platform.gatewayUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ query, variables }),
  });
  return (await res.json()) as GraphqlResponse<T>;
}

const FRAME_METRICS_FIELDS = 'ssim psnr lpips clipI clipScore targetLpips targetClipI models';
interface LearnedFrameMetricsView {
  ssim: number;
  psnr: number;
  lpips: number | null;
  clipI: number | null;
  clipScore: number | null;
  targetLpips: number | null;
  targetClipI: number | null;
  models: string | null;
}

/** Every frame has all learned metrics (from the launcher's random-weight fixture networks). */
function expectLearnedMetrics(
  frames: { metrics: LearnedFrameMetricsView | null }[],
  withGroundTruth: boolean,
) {
  const isNumber = (v: unknown) => typeof v === 'number' && Number.isFinite(v);
  for (const { metrics } of frames) {
    expect(metrics).not.toBeNull();
    expect([metrics!.lpips, metrics!.clipI, metrics!.clipScore].every(isNumber)).toBe(true);
    expect(metrics!.models).toMatch(/^fixture-tiny-random-/);
    if (withGroundTruth) expect([metrics!.targetLpips, metrics!.targetClipI].every(isNumber)).toBe(true);
    else expect([metrics!.targetLpips, metrics!.targetClipI]).toEqual([null, null]);
  }
}

const CREATE = `mutation Create($input: CreateEditInput!) { createEdit(input: $input) { id status targetCaption } }`;

async function createEdit(
  image: Buffer,
  targetCaption = 'A photo of a sitting dog.',
  options: Record<string, unknown> = {},
  groundTruth?: Buffer,
): Promise<string> {
  const res = await gql<{ createEdit: { id: string; status: string } }>(CREATE, {
    input: {
      imageBase64: image.toString('base64'),
      targetCaption,
      options: { seed: 1234, ...options },
      ...(groundTruth ? { groundTruthBase64: groundTruth.toString('base64') } : {}),
    },
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
  db = await createTestDatabase('e2e', editsDatabase);
  blobDir = await mkdtemp(path.join(os.tmpdir(), 'f2f-e2e-blobs-'));
  await vlm.start();
  // Captioning requests get a caption; selection requests (the collage) get image 3, i.e. frame 12.
  vlm.setDefault((request) =>
    JSON.stringify(request.body.messages).includes('The image displays the source photo')
      ? { text: 'The selected edit is:3' }
      : { text: VLM_CAPTION },
  );
  platform = await startPlatform({
    databaseUrl: db.url,
    kafkaBrokers,
    topicPrefix: `e2e${randomBytes(4).toString('hex')}.`,
    blobDir,
    logDir: path.join(REPO_ROOT, '.cache', 'test-logs', `e2e-${Date.now()}`),
    stepDelayMs: 5,
    previewGenerators: 2,
    env: {
      gateway: { LOG_LEVEL: process.env.F2F_GATEWAY_LOG_LEVEL ?? 'info', CORS_ORIGINS: FRONTEND_ORIGIN },
      // Lossless copies deleted when an edit completes (the default keeps them 24 h for a re-choice:
      // uploads.e2e and the browser test run with it).
      edits: { MAX_IMAGE_BYTES: String(2 * 1024 * 1024), LOSSLESS_COPIES_KEPT_HOURS: '0' },
      captioning: { VLM_BASE_URL: vlm.baseUrl, VLM_MODEL: 'gpt-4o', VLM_TIMEOUT_MS: '5000' },
      'frame-selection': { VLM_BASE_URL: vlm.baseUrl, VLM_MODEL: 'gpt-4o', VLM_TIMEOUT_MS: '5000' },
      // As in k8s (the other e2e platforms keep the default, off): frames measured as they land.
      metrics: { MEASURE_FRAMES_AS_THEY_LAND: 'true' },
    },
  });
});

/** The metrics service's f2f_frames_measured_total, by `when`, scraped from its /metrics. */
async function framesMeasured(): Promise<Record<string, number>> {
  const text = await fetch(`http://127.0.0.1:${platform.ports.metrics}/metrics`).then((r) => r.text());
  const counts: Record<string, number> = {};
  for (const [, when, value] of text.matchAll(
    /^f2f_frames_measured_total\{[^}]*when="(\w+)"[^}]*\} (\S+)$/gm,
  ))
    counts[when] = Number(value);
  return counts;
}

afterAll(async () => {
  await platform?.stop();
  await vlm.stop();
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
          candidate: number;
          seed: number;
          rawBlobKey: string;
          metrics: LearnedFrameMetricsView | null;
        }[];
        selectedFrame: { index: number; id: string } | null;
        selectionPolicy: string;
        history: { seq: number; type: string; occurredAt: string }[];
      };
    }>(
      `query($id: ID!) { edit(id: $id) {
        temporalCaption captionProvenance
        progress { step totalSteps framesReady totalFrames }
        frames { id candidate seed index blobKey rawBlobKey bytes sha256 width height metrics { ${FRAME_METRICS_FIELDS} } }
        selectedFrame { id index } selectionPolicy
        history { seq type occurredAt }
      } }`,
      { id },
    );
    expect(res.errors).toBeUndefined();
    const edit = res.data!.edit;
    // The temporal caption came from the VLM (the real adapter, against the endpoint double),
    // asked with the paper's instruction for this target caption and the source image.
    expect(edit.temporalCaption).toBe(VLM_CAPTION);
    expect(edit.captionProvenance).toBe('vlm');
    const asked = vlm.requests.find((r) =>
      JSON.stringify(r.body.messages.at(-1)).includes('A photo of a sitting dog.'),
    );
    expect(asked?.body.model).toBe('gpt-4o');
    expect(JSON.stringify(asked?.body.messages.at(-1))).toContain('data:image/jpeg;base64,');
    const calls = await [
      ...(await db
        .connect(captioningDatabase)
        .vlmCall.findMany({ where: { editId: id }, orderBy: { id: 'asc' } })),
      ...(await db
        .connect(frameSelectionDatabase)
        .vlmCall.findMany({ where: { editId: id }, orderBy: { id: 'asc' } })),
    ];
    expect(calls.map((c) => [c.purpose, c.outcome])).toEqual([
      ['temporal-caption', 'ok'],
      ['frame-selection', 'ok'],
    ]);
    expect(edit.progress).toEqual({ step: 50, totalSteps: 50, framesReady: 49, totalFrames: 49 });

    // 49 frames, each a file in the blob store with the recorded digest, and a row in Postgres:
    // the edited frame cropped back to the source's 320×240, and the 720×480 frame as generated.
    expect(edit.frames.map((f) => f.index)).toEqual(Array.from({ length: 49 }, (_, i) => i));
    for (const frame of edit.frames) {
      const file = await readFile(path.join(blobDir, frame.blobKey));
      expect(file.length).toBe(frame.bytes);
      expect(createHash('sha256').update(file).digest('hex')).toBe(frame.sha256);
      expect([frame.width, frame.height, frame.candidate, frame.seed]).toEqual([320, 240, 0, 1234]);
      // Stored as WebP (FRAME_FORMAT's default), the edited and the raw frame alike.
      expect(await sharp(file).metadata()).toMatchObject({ format: 'webp', width: 320, height: 240 });
      expect(await sharp(await readFile(path.join(blobDir, frame.rawBlobKey))).metadata()).toMatchObject({
        format: 'webp',
        width: 720,
        height: 480,
      });
    }
    expect(await db.prisma.frame.count({ where: { editId: id } })).toBe(49);

    // The VLM chose image 3 of the collage (every fourth frame, numbered 1..12): frame 12.
    expect(edit.selectedFrame?.index).toBe(12);
    expect(edit.selectionPolicy).toBe('vlm');
    const selection = await db
      .connect(frameSelectionDatabase)
      .selection.findUniqueOrThrow({ where: { editId: id } });
    expect(selection.rawAnswers).toEqual(['The selected edit is:3']);
    // The lossless copies metrics and selection read: once the edit completed, only the result's stays
    // (at once with LOSSLESS_COPIES_KEPT_HOURS 0).
    const losslessDir = path.join(blobDir, path.dirname(path.dirname(edit.frames[0].blobKey)), 'lossless');
    for (let i = 0; i < 100 && (await readdir(losslessDir)).length > 1; i++) await sleep(100);
    expect(await readdir(losslessDir)).toEqual(['012.png']);
    const [collageKey] = selection.collageKeys as string[];
    expect(await sharp(await readFile(path.join(blobDir, collageKey))).metadata()).toMatchObject({
      format: 'png',
    });

    // Metrics for every frame: frame 0 cropped back is the source (up to resampling); the path drifts away.
    expect(edit.frames.every((f) => f.metrics !== null)).toBe(true);
    expectLearnedMetrics(edit.frames, false);
    expect(edit.frames[0].metrics!.ssim).toBeGreaterThan(0.95);
    expect(edit.frames[0].metrics!.psnr).toBeGreaterThan(30);
    expect(edit.frames[48].metrics!.ssim).toBeLessThan(edit.frames[1].metrics!.ssim);
    expect(await db.connect(metricsDatabase).frameMetric.count({ where: { editId: id } })).toBe(49);
    // Frames were measured as they landed, while the video was still being generated; video.generated
    // measured only the rest, so each frame once (this is the platform's first edit).
    const measured = await framesMeasured();
    expect(measured.as_they_landed).toBeGreaterThan(0);
    expect(measured.as_they_landed + measured.after_video_generated).toBe(49);

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

    // The user keeps another frame, with a key of its own; the VLM's choice stays readable, the
    // history gets the entry, and both name the key that chose (through the gateway's signed context).
    const chooser = await platform.createApiKey(platform.tenantId, ['read', 'write'], 'chooser');
    const frame30 = edit.frames.find((f) => f.index === 30)!;
    const chosen = await gql<{
      selectFrame: {
        selectedFrame: { index: number };
        selection: {
          policy: string;
          overridden: boolean;
          chosenBy: string | null;
          chosenAt: string | null;
          original: { policy: string; frame: { index: number } };
        };
        history: { seq: number; type: string; payload: string }[];
      };
    }>(
      `mutation($id: ID!, $frame: ID!) { selectFrame(editId: $id, frameId: $frame) {
        selectedFrame { index }
        selection { policy overridden chosenBy chosenAt original { policy frame { index } } }
        history { seq type payload }
      } }`,
      { id, frame: frame30.id },
      chooser.key,
    );
    expect(chosen.errors).toBeUndefined();
    expect(chosen.data!.selectFrame.selectedFrame.index).toBe(30);
    expect(chosen.data!.selectFrame.selection).toEqual({
      policy: 'user',
      overridden: true,
      chosenBy: chooser.keyId,
      chosenAt: expect.any(String),
      original: { policy: 'vlm', frame: { index: 12 } },
    });
    const last = chosen.data!.selectFrame.history.at(-1)!;
    expect({ seq: last.seq, type: last.type }).toEqual({
      seq: Math.max(...seqs) + 1,
      type: 'edit.frame-rechosen',
    });
    expect(JSON.parse(last.payload)).toMatchObject({ actor: chooser.keyId, frameIndex: 30 });

    // The listing finds it with a filter, through the gateway.
    const listed = await gql<{ edits: { edges: { node: { id: string } }[]; totalCount: number } }>(
      `query { edits(first: 5, filter: { status: [COMPLETED], selectionPolicy: "user" }) { edges { node { id } } totalCount } }`,
    );
    expect(listed.errors).toBeUndefined();
    expect(listed.data!.edits.edges.map((e) => e.node.id)).toEqual([id]);
    expect(listed.data!.edits.totalCount).toBe(1);
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
      [
        'an SVG of nested entities (billion laughs), sent as a PNG data: URL',
        {
          imageBase64: `data:image/png;base64,${billionLaughsSvg().toString('base64')}`,
          targetCaption: 'A cat.',
        },
        'INVALID_IMAGE',
      ],
      [
        'a PNG with a bad CRC',
        { imageBase64: withBadIdatCrc(image).toString('base64'), targetCaption: 'A cat.' },
        'INVALID_IMAGE',
      ],
      [
        'a caption with a lone surrogate',
        { imageBase64: image.toString('base64'), targetCaption: 'A cat \ud83d.' },
        'INVALID_CAPTION',
      ],
      [
        'a caption with a NUL character',
        { imageBase64: image.toString('base64'), targetCaption: 'A cat\u0000.' },
        'INVALID_CAPTION',
      ],
      [
        'a model the pool does not serve',
        { imageBase64: image.toString('base64'), targetCaption: 'A cat.', options: { model: 'sora-9000' } },
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
    const unserved = await gql(CREATE, {
      input: {
        imageBase64: image.toString('base64'),
        targetCaption: 'A cat.',
        options: { model: 'sora-9000' },
      },
    });
    expect(unserved.errors?.[0]?.message).toMatch(/does not serve "sora-9000"; it serves "preview"/);
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
      expect(await db.connect(captioningDatabase).caption.count({ where: { editId: id } })).toBe(1);
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
    const captionsPublished = await db.connect(captioningDatabase).outboxEvent.count({
      where: { producer: 'captioning', topic: { endsWith: 'caption.completed' } },
    });
    expect(captionsPublished).toBe(await db.connect(captioningDatabase).caption.count());
  });
});

/** The latest video.progress of an edit, as recorded in its history (null before the first). */
async function latestProgress(id: string): Promise<{ worker: string; step: number } | null> {
  const rows = await db.prisma.editEvent.findMany({
    where: { editId: id, type: 'video.progress' },
    orderBy: { seq: 'desc' },
    take: 1,
  });
  return rows.length ? (rows[0].payload as { worker: string; step: number }) : null;
}

async function waitFor<T>(
  what: string,
  probe: () => Promise<T | null | undefined | false>,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value) return value;
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('metrics with a ground-truth image (PosEdit)', () => {
  it('measures every frame against the source, the caption and the ground truth', async () => {
    const id = await createEdit(
      await makeImage(160, 120),
      'A photo of a red ball.',
      { steps: 4, frames: 9 },
      await makeImage(200, 150, 'jpeg'),
    );
    expect(await waitForStatus(id, ['COMPLETED', 'FAILED'])).toBe('COMPLETED');
    const res = await gql<{
      edit: {
        frames: { index: number; metrics: LearnedFrameMetricsView | null }[];
        selectedFrame: { id: string; index: number; metrics: LearnedFrameMetricsView | null } | null;
        metricsSummary: {
          frameCount: number;
          mean: LearnedFrameMetricsView;
          selected: LearnedFrameMetricsView | null;
        };
      };
    }>(
      `query($id: ID!) { edit(id: $id) {
        frames { index metrics { ${FRAME_METRICS_FIELDS} } }
        selectedFrame { id index metrics { ${FRAME_METRICS_FIELDS} } }
        metricsSummary { frameCount mean { ${FRAME_METRICS_FIELDS} } selected { ${FRAME_METRICS_FIELDS} } }
      } }`,
      { id },
    );
    expect(res.errors).toBeUndefined();
    const { frames, metricsSummary } = res.data!.edit;
    expect(frames).toHaveLength(9);
    expectLearnedMetrics(frames, true);
    expect(frames.find((f) => f.index === 0)!.metrics!.lpips).toBeLessThan(
      frames.find((f) => f.index === 8)!.metrics!.lpips!,
    );
    expect(metricsSummary.frameCount).toBe(9);
    const meanLpips = frames.reduce((s, f) => s + f.metrics!.lpips!, 0) / 9;
    expect(metricsSummary.mean.lpips).toBeCloseTo(meanLpips, 9);
    expect(typeof metricsSummary.mean.targetClipI).toBe('number');
    expect(metricsSummary.mean.models).toMatch(/^fixture-tiny-random-/);
    // The selected frame's metrics come from metrics' own rows, picked by the frame the edits
    // service selected (federation: metricsSummary @requires the edit's selectedFrame { id }).
    const { selectedFrame } = res.data!.edit;
    expect(selectedFrame).not.toBeNull();
    expect(metricsSummary.selected).toEqual(selectedFrame!.metrics);
    expect(metricsSummary.selected!.lpips).toBe(
      frames.find((f) => f.index === selectedFrame!.index)!.metrics!.lpips,
    );
  });
});

describe('the GPU pool', () => {
  it('fans several candidates out across the workers and crops them to the output size', async () => {
    const id = await createEdit(await makeImage(300, 200), 'A photo of a red ball.', {
      candidates: 2,
      steps: 8,
      frames: 9,
      outputWidth: 128,
      outputHeight: 128,
    });
    expect(await waitForStatus(id, ['COMPLETED', 'FAILED'])).toBe('COMPLETED');
    const frames = await db.prisma.frame.findMany({ where: { editId: id } });
    expect(frames).toHaveLength(18);
    expect(new Set(frames.map((f) => `${f.candidate}/${f.seed}`))).toEqual(new Set(['0/1234', '1/1235']));
    expect(frames.every((f) => f.width === 128 && f.height === 128)).toBe(true);
    // The metrics service measured every frame it learned from video.generated.
    const measured = await db.connect(metricsDatabase).frameMetric.findMany({ where: { editId: id } });
    expect(new Set(measured.map((m) => m.frameId))).toEqual(new Set(frames.map((f) => f.id)));
    // Different seeds, different paths; the same first frame (the source).
    const at = (c: number, i: number) => frames.find((f) => f.candidate === c && f.index === i)!;
    expect(at(0, 8).sha256).not.toBe(at(1, 8).sha256);
    expect(at(0, 0).sha256).toBe(at(1, 0).sha256);
    const generated = await db.prisma.editEvent.findFirstOrThrow({
      where: { editId: id, type: 'video.generated' },
    });
    const workers = (generated.payload as { candidates: { worker: string }[] }).candidates.map(
      (c) => c.worker,
    );
    expect(new Set(workers).size).toBe(2);
  });

  it('stops the GPU work of a cancelled edit and frees the worker', async () => {
    const id = await createEdit(await makeImage(160, 160), 'A photo of a slow cat.', { steps: 500 });
    const progress = await waitFor('the first denoising step', () => latestProgress(id));
    const res = await gql<{ cancelEdit: { status: string } }>(
      `mutation($id: ID!) { cancelEdit(id: $id) { status } }`,
      {
        id,
      },
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!.cancelEdit.status).toBe('CANCELLED');
    // The worker says the client cancelled the call, long before its 500 steps (2.5 s) were done.
    const workerLog = path.join(platform.options.logDir!, `${instanceAt(progress.worker)}.log`);
    await waitFor(
      'the worker to stop',
      async () =>
        (await readFile(workerLog, 'utf8')).includes(`"requestId":"${id}/candidate-0"`) &&
        (await readFile(workerLog, 'utf8'))
          .split('\n')
          .some((l) => l.includes(id) && l.includes('cancelled by the client')),
    );
    const last = await latestProgress(id);
    expect(last!.step).toBeLessThan(500);
    await sleep(1000);
    expect(await db.prisma.editEvent.count({ where: { editId: id, type: 'video.generated' } })).toBe(0);
    expect((await db.prisma.edit.findUniqueOrThrow({ where: { id } })).status).toBe('CANCELLED');
    const again = await gql(`mutation($id: ID!) { cancelEdit(id: $id) { status } }`, { id });
    expect(again.errors).toBeUndefined();
  });

  it('completes an edit on another worker with the same seed when its worker dies mid-stream', async () => {
    const id = await createEdit(await makeImage(240, 160), 'A photo of a jumping dog.', { steps: 400 });
    const progress = await waitFor('the first denoising step', () => latestProgress(id));
    const victim = instanceAt(progress.worker);
    await platform.kill(victim, 'SIGKILL');
    expect(await waitForStatus(id, ['COMPLETED', 'FAILED'])).toBe('COMPLETED');
    const generated = await db.prisma.editEvent.findFirstOrThrow({
      where: { editId: id, type: 'video.generated' },
    });
    const [candidate] = (
      generated.payload as { candidates: { worker: string; seed: number; attempts: number }[] }
    ).candidates;
    expect(candidate.worker).not.toBe(progress.worker);
    expect(candidate.attempts).toBe(2);
    expect(candidate.seed).toBe(1234);
    expect(await db.prisma.frame.count({ where: { editId: id } })).toBe(49);
    expect(await framesInUpdates(id)).toEqual([...Array(49).keys()]);
    await platform.start(victim);
  });

  it('lists each frame once in Edit.updates when video-generation is killed (SIGKILL) mid-frames and restarted', async () => {
    const id = await createEdit(await makeImage(640, 480), 'A photo of a rolling ball.');
    await waitFor('the first frames', async () => {
      const rows = await db.prisma.editEvent.count({
        where: { editId: id, type: 'video.progress', key: { contains: '/frames/' } },
      });
      return rows > 0;
    });
    await platform.kill('video-generation', 'SIGKILL');
    await platform.start('video-generation');
    expect(await waitForStatus(id, ['COMPLETED', 'FAILED'])).toBe('COMPLETED');
    // The restarted service generated the video again and announced its frames from the first one.
    const published = await db.connect(videoGenerationDatabase).outboxEvent.findMany({
      where: { producer: 'video-generation', key: id, topic: { endsWith: 'video.progress' } },
    });
    const announced = published.flatMap(
      (r) => (r.envelope as { payload: { frames: unknown[] } }).payload.frames,
    );
    expect(announced.length).toBeGreaterThan(49);
    // The edit's feed lists each frame once, each transition once.
    expect(await framesInUpdates(id)).toEqual([...Array(49).keys()]);
    expect(await db.prisma.frame.count({ where: { editId: id } })).toBe(49);
    const types = await db.prisma.editEvent.groupBy({ by: ['type'], where: { editId: id }, _count: true });
    expect(Object.fromEntries(types.map((t) => [t.type, t._count]))).toMatchObject({
      'edit.requested': 1,
      'caption.completed': 1,
      'video.generated': 1,
      'frame.selected': 1,
      'metrics.computed': 1,
    });
  });
});

/** The frame indices the entries of Edit.updates list, in feed order. */
async function framesInUpdates(id: string): Promise<number[]> {
  const res = await gql<{ edit: { updates: { frames: { index: number }[] }[] } }>(
    `query($id: ID!) { edit(id: $id) { updates { frames { index } } } }`,
    { id },
  );
  expect(res.errors).toBeUndefined();
  return res.data!.edit.updates.flatMap((u) => u.frames.map((f) => f.index));
}

/** The launcher instance serving a worker address (127.0.0.1:<port>). */
function instanceAt(worker: string): ServiceName {
  const port = Number(worker.split(':')[1]);
  const name = (Object.keys(platform.ports) as ServiceName[]).find((n) => platform.ports[n] === port);
  if (!name) throw new Error(`no instance listens on ${worker}`);
  return name;
}

describe("a tenant's own caption examples and the stages' decisions, through the gateway", () => {
  it('adds an example with an image, captions the next edit with it, and shows how the caption was written', async () => {
    const added = await gql<{ addCaptionExample: { id: string; hasImage: boolean } }>(
      `mutation($input: AddCaptionExampleInput!) { addCaptionExample(input: $input) { id hasImage } }`,
      {
        input: {
          targetCaption: 'A photo of an open umbrella.',
          temporalCaption: 'The folded umbrella slowly opens, its canopy spreading wide.',
          imageBase64: (await makeImage(96, 64)).toString('base64'),
        },
      },
    );
    expect(added.errors).toBeUndefined();
    expect(added.data!.addCaptionExample.hasImage).toBe(true);
    const refused = await gql(
      `mutation { addCaptionExample(input: { targetCaption: "A cat.", temporalCaption: "A video of a cat." }) { id } }`,
    );
    expect(refused.errors?.[0].extensions?.code).toBe('INVALID_CAPTION');

    try {
      const id = await createEdit(await makeImage(200, 150), 'A photo of a wet street.');
      expect(await waitForStatus(id, ['COMPLETED', 'FAILED'])).toBe('COMPLETED');
      const asked = vlm.requests.find((r) =>
        JSON.stringify(r.body.messages.at(-1)).includes('A photo of a wet street.'),
      );
      // The tenant's one example (instruction with its image, answer), then this edit's request.
      expect(asked?.body.messages).toHaveLength(3);
      expect(JSON.stringify(asked?.body.messages[0])).toContain('data:image/jpeg;base64,');
      expect(JSON.stringify(asked?.body.messages[1])).toContain('The folded umbrella slowly opens');

      const res = await gql<{
        edit: {
          caption: {
            text: string;
            provenance: string;
            vlmModel: string;
            exampleSet: string;
            attempts: number;
          };
          selectionDecision: {
            policy: string;
            frameIndex: number;
            noEdit: boolean;
            rawAnswers: string[];
            collageBlobKeys: string[];
            vlmModel: string;
          };
        };
        captionExamples: { id: string }[];
      }>(
        `query($id: ID!) {
          edit(id: $id) {
            caption { text provenance vlmModel exampleSet attempts }
            selectionDecision { policy frameIndex noEdit rawAnswers collageBlobKeys vlmModel }
          }
          captionExamples { id }
        }`,
        { id },
      );
      expect(res.errors).toBeUndefined();
      expect(res.data!.edit.caption).toEqual({
        text: VLM_CAPTION,
        provenance: 'vlm',
        vlmModel: 'gpt-4o',
        exampleSet: 'tenant',
        attempts: 1,
      });
      expect(res.data!.captionExamples.map((e) => e.id)).toEqual([added.data!.addCaptionExample.id]);
      // The frame-selection subgraph's side of the same edit: the collage, the raw answer, the decision.
      const decision = res.data!.edit.selectionDecision;
      expect(decision).toMatchObject({
        policy: 'vlm',
        frameIndex: 12,
        noEdit: false,
        rawAnswers: ['The selected edit is:3'],
        vlmModel: 'gpt-4o',
      });
      expect(decision.collageBlobKeys).toHaveLength(1);
      expect(
        await sharp(await readFile(path.join(blobDir, decision.collageBlobKeys[0]))).metadata(),
      ).toMatchObject({ format: 'png' });
    } finally {
      const removed = await gql<{ removeCaptionExample: boolean }>(
        `mutation($id: ID!) { removeCaptionExample(id: $id) }`,
        { id: added.data!.addCaptionExample.id },
      );
      expect(removed.data?.removeCaptionExample).toBe(true);
    }
  });
});

/** A graphql-ws client of the gateway's subscriptions, authenticated with an API key. */
function wsClient(apiKey: string | null): Client {
  return createClient({
    url: platform.gatewayUrl.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: apiKey ? { authorization: `Bearer ${apiKey}` } : {},
    retryAttempts: 0,
    lazy: true,
  });
}

const UPDATE_FIELDS = `editId seq type status step totalSteps framesReady totalFrames
  frames { candidate index frameId } selection { frameIndex policy noEdit } metricsMean { name value } cursor`;

interface UpdateView {
  editId: string;
  seq: number;
  type: string;
  status: string;
  step: number | null;
  totalSteps: number | null;
  frames: { candidate: number; index: number; frameId: string }[];
  selection: { frameIndex: number | null; policy: string; noEdit: boolean } | null;
  metricsMean: { name: string; value: number }[];
  cursor: string | null;
}

/** Subscribes and collects entries until `until` says stop (then unsubscribes), or fails. */
function collect(
  client: Client,
  query: string,
  variables: Record<string, unknown>,
  until: (seen: UpdateView[]) => boolean,
  timeoutMs = 120_000,
): Promise<UpdateView[]> {
  return new Promise((resolve, reject) => {
    const seen: UpdateView[] = [];
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`timed out after ${seen.length} entries: ${JSON.stringify(seen.map((u) => u.type))}`));
    }, timeoutMs);
    const stop = client.subscribe<Record<string, UpdateView>>(
      { query, variables },
      {
        next: (result) => {
          if (result.errors) {
            // The server completes a refused subscription itself: completing it here too would
            // release the client's connection twice (graphql-ws counts them) and close it under
            // the other subscriptions.
            clearTimeout(timer);
            reject(Object.assign(new Error(result.errors[0].message), { errors: result.errors }));
            return;
          }
          seen.push(Object.values(result.data!)[0]);
          if (until(seen)) {
            clearTimeout(timer);
            stop();
            resolve(seen);
          }
        },
        error: (error) => {
          clearTimeout(timer);
          // A refused connection ends with a CloseEvent (code, reason); a refused operation with errors.
          const closed = error as { code?: number; reason?: string };
          reject(
            error instanceof Error
              ? error
              : new Error(closed.code ? `closed ${closed.code}: ${closed.reason}` : JSON.stringify(error)),
          );
        },
        complete: () => undefined,
      },
    );
  });
}

describe('live subscriptions over graphql-ws at the gateway', () => {
  const EDIT_UPDATED = `subscription($id: ID!, $after: Int) { editUpdated(id: $id, afterSeq: $after) { ${UPDATE_FIELDS} } }`;
  const done = (seen: UpdateView[]) => seen.some((u) => u.status === 'COMPLETED' || u.status === 'FAILED');

  it('streams an edit as it happens (steps, every frame as it lands, the selection, metrics), and replays what a reconnecting client missed', async () => {
    const client = wsClient(platform.apiKey);
    try {
      const id = await createEdit(await makeImage(160, 120), 'A photo of a waving hand.', { steps: 30 });
      const live = await collect(client, EDIT_UPDATED, { id, after: 0 }, done);
      expect(live.every((u) => u.editId === id)).toBe(true);
      // Every history entry once, in order, from the first.
      expect(live.map((u) => u.seq)).toEqual(live.map((_, i) => i + 1));
      expect(live[0]).toMatchObject({ type: 'edit.requested', status: 'SUBMITTED' });
      expect(live.at(-1)!.status).toBe('COMPLETED');
      // Denoising step k/n: the first and the last step at least (progress is throttled between).
      const steps = live.filter((u) => u.step !== null && u.frames.length === 0).map((u) => u.step);
      expect(steps).toContain(1);
      expect(live.some((u) => u.step === 30 && u.totalSteps === 30)).toBe(true);
      // Each of the 49 frames announced exactly once, as it landed, with the id the path has.
      const landed = live.flatMap((u) => u.frames);
      expect(landed.map((f) => f.index).sort((a, b) => a - b)).toEqual(
        Array.from({ length: 49 }, (_, i) => i),
      );
      const path = await db.prisma.frame.findMany({ where: { editId: id } });
      expect(new Set(landed.map((f) => f.frameId))).toEqual(new Set(path.map((f) => f.id)));
      expect(live.find((u) => u.type === 'frame.selected')!.selection).toMatchObject({
        frameIndex: 12,
        policy: 'vlm',
        noEdit: false,
      });
      const measured = live.find((u) => u.type === 'metrics.computed')!;
      expect(measured.metricsMean.map((m) => m.name)).toEqual(
        expect.arrayContaining(['ssim', 'lpips', 'clipScore']),
      );

      // A client that saw up to seq 5 reconnects: it gets 6.. exactly as they went out live.
      const again = await collect(
        client,
        EDIT_UPDATED,
        { id, after: 5 },
        (seen) => seen.length === live.length - 5,
      );
      expect(again).toEqual(live.slice(5));

      // A re-selection after completion is announced too.
      const [next] = await Promise.all([
        collect(client, EDIT_UPDATED, { id, after: live.length }, (seen) => seen.length === 1),
        (async () => {
          await sleep(500);
          const frame = path.find((f) => f.index === 30)!;
          const res = await gql(
            `mutation($id: ID!, $f: ID!) { selectFrame(editId: $id, frameId: $f) { id } }`,
            {
              id,
              f: frame.id,
            },
          );
          expect(res.errors).toBeUndefined();
        })(),
      ]);
      expect(next[0]).toMatchObject({
        seq: live.length + 1,
        type: 'edit.frame-rechosen',
        status: 'COMPLETED',
        selection: { frameIndex: 30, policy: 'user', noEdit: false },
      });
    } finally {
      await client.dispose();
    }
  });

  it("keeps tenants apart: another tenant's edit is not found, the tenant feed shows only the tenant's edits", async () => {
    const other = await platform.createTenant(`ws-${randomBytes(3).toString('hex')}`);
    const mine = wsClient(platform.apiKey);
    const theirs = wsClient(other.key);
    try {
      const feed = collect(theirs, `subscription { editsUpdated { ${UPDATE_FIELDS} } }`, {}, (seen) =>
        seen.some((u) => u.status === 'COMPLETED'),
      );
      const id = await createEdit(await makeImage(100, 80), 'A photo of a small boat.', { steps: 5 });
      await expect(collect(theirs, EDIT_UPDATED, { id, after: 0 }, () => true)).rejects.toThrow(/no edit/);
      const own = await collect(mine, EDIT_UPDATED, { id, after: 0 }, done);
      expect(own.at(-1)!.status).toBe('COMPLETED');
      // The other tenant's own edit shows up on its feed; this tenant's never does.
      const res = await fetch(platform.gatewayUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${other.key}` },
        body: JSON.stringify({
          query: CREATE,
          variables: {
            input: {
              imageBase64: (await makeImage(90, 90)).toString('base64'),
              targetCaption: 'A photo of a kite.',
              options: { steps: 5 },
            },
          },
        }),
      });
      const body = (await res.json()) as { data: { createEdit: { id: string } } };
      const created = body.data.createEdit.id;
      const seen = await feed;
      expect(new Set(seen.map((u) => u.editId))).toEqual(new Set([created]));

      // The other tenant re-chooses a frame, then reads its analytics: its one edit, nothing of ours.
      const asOther = async <T>(query: string, variables: Record<string, unknown> = {}) => {
        const r = await fetch(platform.gatewayUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${other.key}` },
          body: JSON.stringify({ query, variables }),
        });
        return (await r.json()) as GraphqlResponse<T>;
      };
      const rechosen = await asOther(
        `mutation($id: ID!) { selectFrame(editId: $id, source: true) { noEdit } }`,
        {
          id: created,
        },
      );
      expect(rechosen.errors).toBeUndefined();

      // The tenant feed resumed from the cursor of the third entry it saw: everything recorded after
      // it (the lookback may repeat some it saw), each edit in sequence order, up to the re-choice.
      const TENANT_FEED = `subscription($after: String) { editsUpdated(afterCursor: $after) { ${UPDATE_FIELDS} } }`;
      expect(seen.every((u) => typeof u.cursor === 'string')).toBe(true);
      const resumed = await collect(theirs, TENANT_FEED, { after: seen[2].cursor }, (got) =>
        got.some((u) => u.type === 'edit.frame-rechosen'),
      );
      expect(resumed.every((u) => u.editId === created)).toBe(true);
      const seqs = resumed.map((u) => u.seq);
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
      expect(new Set(seqs).size).toBe(seqs.length);
      for (const liveEntry of seen.slice(3)) {
        expect(resumed.find((u) => u.seq === liveEntry.seq)).toEqual(liveEntry);
      }
      expect(resumed.at(-1)).toMatchObject({
        seq: seen.at(-1)!.seq + 1,
        type: 'edit.frame-rechosen',
        selection: { frameIndex: null, policy: 'user', noEdit: true },
      });
      await expect(collect(theirs, TENANT_FEED, { after: 'bm90LWEtY3Vyc29y' }, () => true)).rejects.toThrow(
        /not a feed cursor/,
      );
      // This tenant's cursor only names a position: replaying from it shows this tenant nothing else.
      const [fromMine] = await Promise.all([
        collect(mine, TENANT_FEED, { after: seen[0].cursor }, (got) =>
          got.some((u) => u.editId === id && u.type === 'edit.frame-rechosen'),
        ),
        (async () => {
          await sleep(500);
          const r = await gql(`mutation($id: ID!) { selectFrame(editId: $id, source: true) { id } }`, { id });
          expect(r.errors).toBeUndefined();
        })(),
      ]);
      expect(fromMine.some((u) => u.editId === created)).toBe(false);

      const day = 24 * 3600 * 1000;
      const analytics = await asOther<{
        analytics: {
          total: number;
          byStatus: { status: string; count: number }[];
          selectedFrameIndex: { index: number; count: number }[];
          overrides: { completed: number; rechosen: number; share: number | null };
          noEdit: { total: number; count: number };
          stageLatency: { stage: string; edits: number; p50Ms: number | null }[];
        };
      }>(
        `query($from: String!, $to: String!) { analytics(from: $from, to: $to) {
          total byStatus { status count } selectedFrameIndex { index count }
          overrides { completed rechosen share } noEdit { total count } stageLatency { stage edits p50Ms }
        } }`,
        { from: new Date(Date.now() - day).toISOString(), to: new Date(Date.now() + day).toISOString() },
      );
      expect(analytics.errors).toBeUndefined();
      const a = analytics.data!.analytics;
      expect(a.total).toBe(1);
      expect(a.byStatus).toEqual([{ status: 'COMPLETED', count: 1 }]);
      expect(a.overrides).toMatchObject({ completed: 1, rechosen: 1, share: 1 });
      expect(a.noEdit).toMatchObject({ total: 1, count: 1 });
      expect(a.stageLatency.find((l) => l.stage === 'total')).toMatchObject({ edits: 1 });
    } finally {
      await mine.dispose();
      await theirs.dispose();
    }
  });

  it('refuses a connection without a valid key, and queries over the socket', async () => {
    const anonymous = wsClient(null);
    await expect(
      collect(anonymous, `subscription { editsUpdated { seq } }`, {}, () => true, 10_000),
    ).rejects.toThrow(/4401|UNAUTHENTICATED|API key/);
    await anonymous.dispose();
    const client = wsClient(platform.apiKey);
    await expect(
      collect(client, `{ edits(first: 1) { totalCount } }`, {}, () => true, 10_000),
    ).rejects.toThrow(/only subscriptions/);
    await client.dispose();
  });
});

describe('a product frontend, end to end', () => {
  it('uploads, subscribes, watches steps and frames land, reads the path with metrics and URLs, re-selects a frame and reads analytics', async () => {
    // A tenant of its own, so that its analytics are exactly this session's.
    const tenant = await platform.createTenant(`web-${randomBytes(3).toString('hex')}`);
    const call = async <T>(query: string, variables: Record<string, unknown> = {}) => {
      const res = await fetch(platform.gatewayUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${tenant.key}` },
        body: JSON.stringify({ query, variables }),
      });
      const body = (await res.json()) as GraphqlResponse<T>;
      expect(body.errors).toBeUndefined();
      return body.data!;
    };
    const download = async (url: string, contentType = 'image/png') => {
      const res = await fetch(url);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe(contentType);
      return Buffer.from(await res.arrayBuffer());
    };
    const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
    /** Mean absolute difference of two images' pixels (0–255), which must have one size. */
    const meanDifference = async (a: Buffer, b: Buffer) => {
      const [pa, pb] = await Promise.all([a, b].map((x) => sharp(x).removeAlpha().raw().toBuffer()));
      expect(pa.length).toBe(pb.length);
      return pa.reduce((sum, v, i) => sum + Math.abs(v - pb[i]), 0) / pa.length;
    };

    // 0. A browser page of the frontend's origin may call the gateway; another origin's may not.
    const preflight = (url: string, origin: string, method: string, headers: string) =>
      fetch(url, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': method,
          'access-control-request-headers': headers,
        },
      });
    const allowed = await preflight(
      platform.gatewayUrl,
      FRONTEND_ORIGIN,
      'POST',
      'authorization,content-type',
    );
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(FRONTEND_ORIGIN);
    expect(allowed.headers.get('access-control-allow-headers')).toMatch(/authorization/);
    const foreign = await preflight(platform.gatewayUrl, 'https://evil.example', 'POST', 'authorization');
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();

    // 1. The image goes to a signed upload URL, never through GraphQL.
    const image = await makeImage(320, 240, 'png');
    const { createUpload: ticket } = await call<{
      createUpload: { id: string; url: string; method: string; headers: { name: string; value: string }[] };
    }>(
      `mutation($i: CreateUploadInput!) { createUpload(input: $i) { id url method headers { name value } } }`,
      { i: { contentType: 'image/png', byteSize: image.length } },
    );
    const uploadPreflight = await preflight(ticket.url, FRONTEND_ORIGIN, 'PUT', 'content-type');
    expect(uploadPreflight.headers.get('access-control-allow-methods')).toMatch(/PUT/);
    const put = await fetch(ticket.url, {
      method: ticket.method,
      headers: {
        ...Object.fromEntries(ticket.headers.map((h) => [h.name, h.value])),
        origin: FRONTEND_ORIGIN,
      },
      body: image,
    });
    expect(put.status).toBe(201);
    expect(put.headers.get('access-control-allow-origin')).toBe(FRONTEND_ORIGIN);

    // 2. The edit, from the upload; a retried submission (same idempotency key) is the same edit.
    const input = {
      sourceUploadId: ticket.id,
      targetCaption: 'A photo of a sitting dog.',
      idempotencyKey: 'frontend-submit-1',
      options: { steps: 12, seed: 5 },
    };
    const create = `mutation($i: CreateEditInput!) { createEdit(input: $i) { id status } }`;
    const { createEdit: edit } = await call<{ createEdit: { id: string; status: string } }>(create, {
      i: input,
    });
    expect((await call<{ createEdit: { id: string } }>(create, { i: input })).createEdit.id).toBe(edit.id);

    // 3. It follows the edit live: every entry from the first, denoising steps k/12, the 49 frames
    // as they land, the selection, the metrics, completion.
    const client = wsClient(tenant.key);
    try {
      const EDIT_UPDATED = `subscription($id: ID!, $after: Int) { editUpdated(id: $id, afterSeq: $after) { ${UPDATE_FIELDS} } }`;
      const live = await collect(client, EDIT_UPDATED, { id: edit.id, after: 0 }, (seen) =>
        seen.some((u) => u.status === 'COMPLETED' || u.status === 'FAILED'),
      );
      expect(live.map((u) => u.seq)).toEqual(live.map((_, i) => i + 1));
      expect(live.at(-1)!.status).toBe('COMPLETED');
      const steps = live.filter((u) => u.step !== null).map((u) => u.step!);
      expect(steps).toEqual([...steps].sort((a, b) => a - b));
      expect(steps.at(-1)).toBe(12);
      expect(live.every((u) => u.totalSteps === null || u.totalSteps === 12)).toBe(true);
      const landed = live.flatMap((u) => u.frames);
      expect(landed.map((f) => f.index).sort((a, b) => a - b)).toEqual(
        Array.from({ length: 49 }, (_, i) => i),
      );
      expect(live.find((u) => u.type === 'frame.selected')!.selection).toMatchObject({ frameIndex: 12 });
      expect(live.some((u) => u.type === 'metrics.computed' && u.metricsMean.length >= 5)).toBe(true);

      // 4. The whole path: every frame with its URL and its metrics, the result, the history.
      const PATH = `query($id: ID!) { edit(id: $id) {
        status resultUrl sourceUrl selectedFrame { index }
        frames { id index url sha256 metrics { ssim psnr lpips clipI clipScore } }
        history { seq type } } }`;
      type PathView = {
        edit: {
          status: string;
          resultUrl: string;
          sourceUrl: string;
          selectedFrame: { index: number };
          frames: {
            id: string;
            index: number;
            url: string;
            sha256: string;
            metrics: Record<string, number | null>;
          }[];
          history: { seq: number; type: string }[];
        };
      };
      const { edit: path1 } = await call<PathView>(PATH, { id: edit.id });
      expect(path1.frames.map((f) => f.index).sort((a, b) => a - b)).toEqual(
        Array.from({ length: 49 }, (_, i) => i),
      );
      for (const f of path1.frames) {
        for (const name of ['ssim', 'psnr', 'lpips', 'clipI', 'clipScore']) {
          expect(Number.isFinite(f.metrics[name])).toBe(true);
        }
      }
      expect(path1.history.map((h) => h.seq)).toEqual(live.map((u) => u.seq));
      expect(sha256(await download(path1.sourceUrl))).toBe(sha256(image));
      const byIndex = new Map(path1.frames.map((f) => [f.index, f]));
      // Frames are stored as WebP (FRAME_FORMAT's default); the result is the selected frame's
      // lossless copy (PNG), the same picture as the stored frame within the lossy format's error.
      const frame12 = await download(byIndex.get(12)!.url, 'image/webp');
      expect(sha256(frame12)).toBe(byIndex.get(12)!.sha256);
      const result1 = await download(path1.resultUrl, 'image/png');
      expect(await meanDifference(result1, frame12)).toBeLessThan(2);
      expect(sha256(await download(byIndex.get(40)!.url, 'image/webp'))).toBe(byIndex.get(40)!.sha256);

      // 5. The user prefers frame 30: no GPU work, announced live, and the result follows.
      const [rechosen] = await Promise.all([
        collect(client, EDIT_UPDATED, { id: edit.id, after: live.length }, (seen) => seen.length === 1),
        (async () => {
          await sleep(500);
          await call(`mutation($id: ID!, $f: ID!) { selectFrame(editId: $id, frameId: $f) { id } }`, {
            id: edit.id,
            f: byIndex.get(30)!.id,
          });
        })(),
      ]);
      expect(rechosen[0]).toMatchObject({
        type: 'edit.frame-rechosen',
        status: 'COMPLETED',
        selection: { frameIndex: 30, policy: 'user', noEdit: false },
      });
      const { edit: path2 } = await call<PathView>(PATH, { id: edit.id });
      expect(path2.selectedFrame.index).toBe(30);
      // Frame 30's lossless copy was deleted when the edit completed: the result is its stored frame,
      // still downloaded as a PNG (decoded from the WebP, the same pixels).
      const frame30 = await download(byIndex.get(30)!.url, 'image/webp');
      const result2 = await download(path2.resultUrl, 'image/png');
      expect(await meanDifference(result2, frame30)).toBe(0);
      expect(await meanDifference(result2, result1)).toBeGreaterThan(0);
    } finally {
      await client.dispose();
    }

    // 6. The tenant's analytics count this one edit, its re-selection and its stages.
    const day = 24 * 3600 * 1000;
    const { analytics } = await call<{
      analytics: {
        total: number;
        byStatus: { status: string; count: number }[];
        selectedFrameIndex: { index: number; count: number }[];
        overrides: { completed: number; rechosen: number; overridden: number };
        stageLatency: { stage: string; edits: number; p50Ms: number | null }[];
        metricsByModelAndPolicy: { policy: string; edits: number; clipScore: number | null }[];
      };
    }>(
      `query($from: String!, $to: String!) { analytics(from: $from, to: $to) {
        total byStatus { status count } selectedFrameIndex { index count }
        overrides { completed rechosen overridden } stageLatency { stage edits p50Ms }
        metricsByModelAndPolicy { policy edits clipScore } } }`,
      { from: new Date(Date.now() - day).toISOString(), to: new Date(Date.now() + day).toISOString() },
    );
    expect(analytics.total).toBe(1);
    expect(analytics.byStatus).toEqual([{ status: 'COMPLETED', count: 1 }]);
    expect(analytics.selectedFrameIndex).toEqual([{ index: 30, count: 1 }]);
    expect(analytics.overrides).toMatchObject({ completed: 1, rechosen: 1, overridden: 1 });
    expect(analytics.stageLatency.find((l) => l.stage === 'total')).toMatchObject({ edits: 1 });
    expect(analytics.metricsByModelAndPolicy).toEqual([
      expect.objectContaining({ policy: 'user', edits: 1, clipScore: expect.any(Number) }),
    ]);
  });
});
