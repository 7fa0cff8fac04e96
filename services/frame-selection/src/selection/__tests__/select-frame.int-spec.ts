import { createDatabase, type PrismaClient as ServiceClient } from '../../database';
import { randomUUID } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { type EventEnvelope, makeEnvelope, type SelectionPolicy, Topic } from '@f2f/contracts';
import { OutboxWriter } from '@f2f/messaging';
import { FilesystemBlobStore } from '@f2f/storage';
import { OpenAiCompatibleVlm, VlmDirectory } from '@f2f/vlm';
import sharp from 'sharp';

import { createTestDatabase, type TestDatabase } from '../../../../../test/support/database';
import { makeImage } from '../../../../../test/support/factories';
import { FakeOpenAiServer } from '../../../../../test/support/fake-openai';
import { inboxContext } from '../../../../../test/support/handler-context';
import { PrismaSelectionsRepository } from '../../persistence/selections.repository';
import { DEFAULT_METRIC_POLICY } from '../metric-policy';
import { SelectFrameUseCase } from '../select-frame.use-case';

let db: TestDatabase<ServiceClient>;
let blobs: FilesystemBlobStore;
const server = new FakeOpenAiServer();

beforeAll(async () => {
  db = await createTestDatabase('selection', createDatabase);
  blobs = new FilesystemBlobStore(await mkdtemp(path.join(os.tmpdir(), 'f2f-selection-')));
  await server.start();
});
afterAll(async () => {
  await server.stop();
  await db.drop();
});
beforeEach(() => {
  server.requests.length = 0;
  server.script();
});

const context = (event: EventEnvelope<Topic>) => inboxContext(db.prisma, 'frame-selection', event);

/** A generated video: 49 frames per candidate in the blob store, as video-generation leaves them. */
async function generated(candidates = 1, selection: SelectionPolicy = 'vlm') {
  const editId = randomUUID();
  const sourceKey = `tenants/default/edits/${editId}/source.png`;
  await blobs.put(sourceKey, await makeImage(160, 120));
  const frames = [];
  for (let candidate = 0; candidate < candidates; candidate++) {
    for (let index = 0; index < 49; index++) {
      const key = `tenants/default/edits/${editId}/candidates/${candidate}/frames/${index}.png`;
      const shade = Math.round((index / 48) * 255);
      await blobs.put(
        key,
        await sharp({
          create: { width: 160, height: 120, channels: 3, background: { r: shade, g: 60, b: 90 } },
        })
          .png()
          .toBuffer(),
      );
      frames.push({ candidate, index, frameId: randomUUID(), blobKey: key });
    }
  }
  return makeEnvelope({
    type: Topic.VideoGenerated,
    editId,
    tenantId: 'default',
    payload: {
      targetCaption: 'A photo of a sitting dog.',
      temporalCaption: 'The dog sits down.',
      sourceKey,
      groundTruthKey: null,
      model: 'preview',
      generator: 'preview-generator (not a model)',
      width: 160,
      height: 120,
      candidates: Array.from({ length: candidates }, (_, candidate) => ({
        candidate,
        seed: candidate,
        computeSeconds: 1,
        worker: 'w',
        attempts: 1,
      })),
      frames,
      computeSeconds: candidates,
      selection,
    },
  });
}

const useCase = (withVlm = true) =>
  new SelectFrameUseCase(
    new OutboxWriter('frame-selection', 't.'),
    new PrismaSelectionsRepository(db.prisma),
    blobs,
    DEFAULT_METRIC_POLICY,
    VlmDirectory.single(
      withVlm
        ? new OpenAiCompatibleVlm({
            baseUrl: server.baseUrl,
            model: 'gpt-4o',
            timeoutMs: 2_000,
            maxRetries: 0,
          })
        : null,
    ),
  );

const selectionOf = (editId: string) => db.prisma.selection.findUniqueOrThrow({ where: { editId } });

describe('frame selection with a VLM over a collage (the real adapter against an OpenAI-compatible server)', () => {
  it('sends the collage with the paper instruction and maps the chosen number to its frame', async () => {
    const event = await generated();
    server.script({ text: 'The selected edit is:3' });
    await useCase().execute(event, context(event));
    const [sent] = server.requests;
    const content = sent.body.messages[0].content as {
      type: string;
      text?: string;
      image_url?: { url: string };
    }[];
    expect(content[0].text).toContain('The target edit image caption was: “A photo of a sitting dog.”');
    expect(content[1].image_url!.url).toMatch(/^data:image\/png;base64,/);
    const selection = await selectionOf(event.editId);
    expect(selection).toMatchObject({
      candidate: 0,
      frameIndex: 12,
      policy: 'vlm',
      vlmModel: 'gpt-4o',
      fallbackReason: null,
    });
    expect(selection.frameId).toBe(event.payload.frames[12].frameId);
    expect(selection.rawAnswers).toEqual(['The selected edit is:3']);
    const [collageKey] = selection.collageKeys as string[];
    expect(await sharp(await blobs.get(collageKey)).metadata()).toMatchObject({ format: 'png' });
  });

  it('answers 0 with no edit: no frame, the source image is the result', async () => {
    const event = await generated();
    server.script({ text: 'None fits. The selected edit is:0' });
    await useCase().execute(event, context(event));
    expect(await selectionOf(event.editId)).toMatchObject({
      candidate: null,
      frameIndex: null,
      frameId: null,
      policy: 'vlm',
    });
    const row = await db.prisma.outboxEvent.findFirstOrThrow({ where: { key: event.editId } });
    expect((row.envelope as { payload: { frameIndex: number | null } }).payload.frameIndex).toBeNull();
  });

  it('chooses the earliest fulfilling frame across candidates, announcing the usage of both calls', async () => {
    const event = await generated(2);
    server.script(
      { text: 'The selected edit is:9', promptTokens: 1200, completionTokens: 8 },
      { text: 'The selected edit is:2', promptTokens: 1300, completionTokens: 9 },
    );
    await useCase().execute(event, context(event));
    expect(await selectionOf(event.editId)).toMatchObject({ candidate: 1, frameIndex: 8 });
    expect(server.requests).toHaveLength(2);
    const calls = await db.prisma.vlmCall.findMany({ where: { editId: event.editId } });
    const row = await db.prisma.outboxEvent.findFirstOrThrow({ where: { key: event.editId } });
    expect((row.envelope as { payload: { usage: unknown } }).payload.usage).toEqual({
      calls: 2,
      promptTokens: 2500,
      completionTokens: 17,
      latencyMs: calls[0].latencyMs + calls[1].latencyMs,
      model: 'gpt-4o',
    });
  });

  it('asks again once after an unreadable answer, then falls back to the last frame and says so', async () => {
    const event = await generated();
    server.script({ text: 'Probably the fourth.' }, { text: 'The selected edit is:40' });
    await useCase().execute(event, context(event));
    const selection = await selectionOf(event.editId);
    expect(selection).toMatchObject({ candidate: 0, frameIndex: 48, policy: 'last-frame' });
    expect(selection.fallbackReason).toMatch(/unreadable answer \(40 is outside 0..12\)/);
    expect(selection.rawAnswers).toEqual(['Probably the fourth.', 'The selected edit is:40']);
  });

  it('takes the last frame without calling the VLM for the last-frame policy, or without a VLM', async () => {
    const lastFrame = await generated(1, 'last-frame');
    await useCase().execute(lastFrame, context(lastFrame));
    const noVlm = await generated();
    await useCase(false).execute(noVlm, context(noVlm));
    expect(server.requests).toHaveLength(0);
    expect(await selectionOf(lastFrame.editId)).toMatchObject({
      frameIndex: 48,
      policy: 'last-frame',
      fallbackReason: null,
    });
    expect(await selectionOf(noVlm.editId)).toMatchObject({
      frameIndex: 48,
      policy: 'last-frame',
      fallbackReason: 'no VLM configured',
    });
  });
});

/** metrics.computed for a generated video: CLIP score rising from `from` to `to`, LPIPS growing slowly. */
function measured(
  video: EventEnvelope<Topic.VideoGenerated>,
  clip: (candidate: number, index: number) => number | null,
) {
  const series = video.payload.frames.map((f) => ({
    candidate: f.candidate,
    index: f.index,
    frameId: f.frameId,
    ssim: 0.9,
    psnr: 30,
    lpips: clip(f.candidate, f.index) === null ? null : f.index / 100,
    clipI: 0.9,
    clipScore: clip(f.candidate, f.index),
    targetLpips: null,
    targetClipI: null,
  }));
  return makeEnvelope({
    type: Topic.MetricsComputed,
    editId: video.editId,
    tenantId: video.tenantId,
    cause: video,
    payload: {
      frameCount: series.length,
      metrics: ['ssim', 'psnr', 'lpips', 'clipI', 'clipScore'],
      mean: {},
      selection: video.payload.selection,
      series,
    },
  });
}

describe('frame selection by metrics (policy metric)', () => {
  const rising = (start: number) => (candidate: number, index: number) =>
    0.2 + 0.1 * Math.min(1, Math.max(0, (index - start - candidate * 10) / 10));

  it('waits for metrics.computed, then picks the earliest frame at the CLIP plateau across candidates', async () => {
    const video = await generated(2, 'metric');
    await useCase().execute(video, context(video));
    expect(await db.prisma.selection.findUnique({ where: { editId: video.editId } })).toBeNull();
    expect(await db.prisma.processedEvent.count({ where: { eventId: video.eventId } })).toBe(0);

    const metrics = measured(video, rising(10));
    await useCase().executeMetric(metrics, context(metrics));
    const selection = await selectionOf(video.editId);
    // Candidate 0 rises over frames 10..20 and reaches 90% of its gain at frame 19; candidate 1 ten frames later.
    expect(selection).toMatchObject({ candidate: 0, frameIndex: 19, policy: 'metric', fallbackReason: null });
    expect(selection.frameId).toBe(video.payload.frames[19].frameId);
    expect(selection.reason).toMatch(/metric policy chose frame 19 of candidate 0/);
    const row = await db.prisma.outboxEvent.findFirstOrThrow({
      where: { key: video.editId, topic: { endsWith: Topic.FrameSelected } },
    });
    expect((row.envelope as { payload: { policy: string } }).payload.policy).toBe('metric');
    expect(server.requests).toHaveLength(0);
  });

  it('falls back to the last frame, and says why, when the frames have no learned metrics', async () => {
    const video = await generated(1, 'metric');
    const metrics = measured(video, () => null);
    await useCase().executeMetric(metrics, context(metrics));
    const selection = await selectionOf(video.editId);
    expect(selection).toMatchObject({ frameIndex: 48, policy: 'last-frame' });
    expect(selection.fallbackReason).toMatch(/learned metrics unavailable/);
  });

  it('ignores metrics.computed of edits with another policy', async () => {
    const video = await generated(1, 'vlm');
    const metrics = measured(video, rising(0));
    await useCase().executeMetric(metrics, context(metrics));
    expect(await db.prisma.selection.findUnique({ where: { editId: video.editId } })).toBeNull();
  });
});
