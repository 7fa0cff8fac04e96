import { randomUUID } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { type EventEnvelope, Topic } from '@f2f/contracts';
import { OutboxWriter } from '@f2f/messaging';
import { FilesystemBlobStore } from '@f2f/storage';
import { OpenAiCompatibleVlm } from '@f2f/vlm';

import { createTestDatabase, type TestDatabase } from '../../../../../test/support/database';
import { makeEditRequested, makeImage } from '../../../../../test/support/factories';
import { FakeOpenAiServer } from '../../../../../test/support/fake-openai';
import { inboxContext } from '../../../../../test/support/handler-context';
import { templateTemporalCaption } from '../template-caption';
import { WriteTemporalCaptionUseCase } from '../write-temporal-caption.use-case';

let db: TestDatabase;
let blobs: FilesystemBlobStore;
const server = new FakeOpenAiServer();

beforeAll(async () => {
  db = await createTestDatabase('captioning');
  blobs = new FilesystemBlobStore(await mkdtemp(path.join(os.tmpdir(), 'f2f-captioning-')));
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

const context = (event: EventEnvelope<Topic>) => inboxContext(db.prisma, 'captioning', event);

async function requested(options: Record<string, unknown> = {}) {
  const editId = randomUUID();
  const key = `tenants/default/edits/${editId}/source.png`;
  await blobs.put(key, await makeImage(640, 480));
  const event = makeEditRequested({ sourceKey: key, sourceWidth: 640, sourceHeight: 480 });
  return {
    ...event,
    payload: { ...event.payload, options: { ...event.payload.options, ...options } },
  } as typeof event;
}

const useCase = (withVlm = true) =>
  new WriteTemporalCaptionUseCase(
    new OutboxWriter('captioning', 't.'),
    blobs,
    withVlm
      ? new OpenAiCompatibleVlm({ baseUrl: server.baseUrl, model: 'gpt-4o', timeoutMs: 2_000, maxRetries: 0 })
      : null,
  );

async function published(editId: string) {
  const row = await db.prisma.outboxEvent.findFirstOrThrow({
    where: { key: editId, topic: 't.caption.completed' },
  });
  return (row.envelope as unknown as EventEnvelope<Topic.CaptionCompleted>).payload;
}

describe('writing the temporal caption with a VLM (the real adapter against an OpenAI-compatible server)', () => {
  it('asks with the source image, records the caption with its provenance and the call with its cost', async () => {
    const event = await requested();
    server.script({
      text: 'The dog gradually lowers its back legs, settling into a seated position.',
      promptTokens: 2500,
      completionTokens: 16,
    });
    await useCase().execute(event, context(event));

    const [sent] = server.requests;
    expect(sent.body.messages).toHaveLength(19);
    const last = sent.body.messages[18].content as { type: string; image_url?: { url: string } }[];
    expect(last[1].image_url!.url).toMatch(/^data:image\/jpeg;base64,/);
    const caption = await db.prisma.caption.findUniqueOrThrow({ where: { editId: event.editId } });
    expect(caption).toMatchObject({
      text: 'The dog gradually lowers its back legs, settling into a seated position.',
      provenance: 'vlm',
      vlmModel: 'gpt-4o',
      promptVersion: 'paper-b1-v1',
      attempts: 1,
      fallbackReason: null,
    });
    expect(await db.prisma.vlmCall.findMany({ where: { editId: event.editId } })).toEqual([
      expect.objectContaining({
        purpose: 'temporal-caption',
        outcome: 'ok',
        promptTokens: 2500,
        completionTokens: 16,
      }),
    ]);
    expect(await published(event.editId)).toMatchObject({ provenance: 'vlm', temporalCaption: caption.text });
  });

  it('asks again once after an invalid answer, then falls back to the template and says why', async () => {
    const event = await requested();
    server.script({ text: 'In this video the dog sits.' }, { text: 'The dog sits. It wags.' });
    await useCase().execute(event, context(event));
    const caption = await db.prisma.caption.findUniqueOrThrow({ where: { editId: event.editId } });
    expect(caption).toMatchObject({
      text: templateTemporalCaption('A photo of a sitting dog.'),
      provenance: 'template',
      attempts: 2,
    });
    expect(caption.fallbackReason).toMatch(/invalid answer \(2 sentences, not one\)/);
    const calls = await db.prisma.vlmCall.findMany({
      where: { editId: event.editId },
      orderBy: { id: 'asc' },
    });
    expect(calls.map((c) => [c.outcome, c.error])).toEqual([
      ['invalid', 'mentions a video'],
      ['invalid', '2 sentences, not one'],
    ]);
  });

  it('uses the second answer when the first is invalid', async () => {
    const event = await requested();
    server.script({ text: '' }, { text: 'The flaps of the box gently unfold.' });
    await useCase().execute(event, context(event));
    expect(await db.prisma.caption.findUniqueOrThrow({ where: { editId: event.editId } })).toMatchObject({
      provenance: 'vlm',
      text: 'The flaps of the box gently unfold.',
      attempts: 2,
    });
  });

  it('never stalls on a VLM that is down or too slow: the template, with the reason', async () => {
    for (const reply of [
      { status: 500, error: 'down' },
      { delayMs: 2_500, text: 'late' },
    ] as const) {
      const event = await requested();
      server.script(reply);
      await useCase().execute(event, context(event));
      const caption = await db.prisma.caption.findUniqueOrThrow({ where: { editId: event.editId } });
      expect(caption.provenance).toBe('template');
      expect(caption.fallbackReason).toMatch('status' in reply ? /unavailable/ : /timeout/);
    }
  });

  it('uses the target caption as it is in the paper ablation, without calling the VLM', async () => {
    const event = await requested({ captionMode: 'target' });
    await useCase().execute(event, context(event));
    expect(server.requests).toHaveLength(0);
    expect(await published(event.editId)).toMatchObject({
      provenance: 'target',
      temporalCaption: 'A photo of a sitting dog.',
    });
  });

  it('writes the template caption when no VLM is configured, and handles a redelivered event once', async () => {
    const event = await requested();
    await useCase(false).execute(event, context(event));
    await useCase(false).execute(event, context(event));
    expect(server.requests).toHaveLength(0);
    expect(await db.prisma.caption.count({ where: { editId: event.editId } })).toBe(1);
    expect(await db.prisma.outboxEvent.count({ where: { key: event.editId } })).toBe(1);
    expect(await published(event.editId)).toMatchObject({ provenance: 'template' });
  });
});
