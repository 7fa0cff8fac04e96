import { createDatabase, type PrismaClient as ServiceClient } from '../../database';
import { randomUUID } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { type EventEnvelope, Topic } from '@f2f/contracts';
import { OutboxWriter } from '@f2f/messaging';
import { FilesystemBlobStore } from '@f2f/storage';
import { DomainError, ErrorCode } from '@f2f/common';
import { asTenantId } from '@f2f/database';
import { OpenAiCompatibleVlm, VlmDirectory, vlmDirectoryFrom } from '@f2f/vlm';

import { createTestDatabase, type TestDatabase } from '../../../../../test/support/database';
import { makeEditRequested, makeImage, makeImageInspector } from '../../../../../test/support/factories';
import { billionLaughsSvg, withBadIdatCrc } from '../../../../../test/support/hostile-images';
import { FakeOpenAiServer } from '../../../../../test/support/fake-openai';
import { inboxContext } from '../../../../../test/support/handler-context';
import { CaptionExamplesService } from '../../examples/caption-examples.service';
import { PrismaCaptionExamplesRepository } from '../../persistence/caption-examples.repository';
import { PrismaCaptionsRepository } from '../../persistence/captions.repository';
import { templateTemporalCaption } from '../template-caption';
import { WriteTemporalCaptionUseCase } from '../write-temporal-caption.use-case';

let db: TestDatabase<ServiceClient>;
let blobs: FilesystemBlobStore;
const server = new FakeOpenAiServer();
const tenantServer = new FakeOpenAiServer();
let examples: CaptionExamplesService;
const inspector = makeImageInspector();

beforeAll(async () => {
  db = await createTestDatabase('captioning', createDatabase);
  blobs = new FilesystemBlobStore(await mkdtemp(path.join(os.tmpdir(), 'f2f-captioning-')));
  await server.start();
  await tenantServer.start();
  examples = new CaptionExamplesService(
    new PrismaCaptionExamplesRepository(db.prisma),
    blobs,
    {
      maxExamples: 3,
      maxImageBytes: 200_000,
      maxImagePixels: 1_000_000,
    },
    inspector,
  );
});
afterAll(async () => {
  await server.stop();
  await tenantServer.stop();
  await inspector.close();
  await db.drop();
});
beforeEach(() => {
  server.requests.length = 0;
  tenantServer.requests.length = 0;
  server.script();
});

const context = (event: EventEnvelope<Topic>) => inboxContext(db.prisma, 'captioning', event);

async function requested(options: Record<string, unknown> = {}, tenantId = 'default') {
  const editId = randomUUID();
  const key = `tenants/${tenantId}/edits/${editId}/source.png`;
  await blobs.put(key, await makeImage(640, 480));
  const event = makeEditRequested({ sourceKey: key, sourceWidth: 640, sourceHeight: 480 }, tenantId);
  return {
    ...event,
    payload: { ...event.payload, options: { ...event.payload.options, ...options } },
  } as typeof event;
}

const useCase = (withVlm: boolean | VlmDirectory = true) =>
  new WriteTemporalCaptionUseCase(
    new OutboxWriter('captioning', 't.'),
    new PrismaCaptionsRepository(db.prisma),
    blobs,
    examples,
    withVlm instanceof VlmDirectory
      ? withVlm
      : VlmDirectory.single(
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
      promptVersion: 'f2f-b1-v2',
      exampleSet: 'project',
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
    const payload = await published(event.editId);
    expect(payload).toMatchObject({ provenance: 'vlm', temporalCaption: caption.text });
    const [call] = await db.prisma.vlmCall.findMany({ where: { editId: event.editId } });
    expect(payload.usage).toEqual({
      calls: 1,
      promptTokens: 2500,
      completionTokens: 16,
      latencyMs: call.latencyMs,
      model: 'gpt-4o',
    });
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
    // The failed calls were paid for: caption.completed announces both.
    expect((await published(event.editId)).usage).toEqual({
      calls: 2,
      promptTokens: calls[0].promptTokens + calls[1].promptTokens,
      completionTokens: calls[0].completionTokens + calls[1].completionTokens,
      latencyMs: calls[0].latencyMs + calls[1].latencyMs,
      model: calls[1].model,
    });
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

describe("a tenant's own VLM and in-context examples", () => {
  const png = async (w: number, h: number) => (await makeImage(w, h)).toString('base64');

  it("sends a tenant's calls to its own endpoint and model, and others' to the deployment's", async () => {
    const directory = vlmDirectoryFrom(
      'captioning',
      {
        VLM_BASE_URL: server.baseUrl,
        VLM_MODEL: 'gpt-4o',
        VLM_TIMEOUT_MS: 2_000,
        VLM_MAX_RETRIES: 0,
        VLM_TENANT_OVERRIDES: {
          acme: { baseUrl: tenantServer.baseUrl, model: 'acme-vlm', apiKeyEnv: 'ACME_KEY' },
        },
      },
      { ACME_KEY: 'sk-acme' },
    );
    const acme = await requested({}, 'acme');
    await useCase(directory).execute(acme, context(acme));
    const other = await requested({}, 'default');
    await useCase(directory).execute(other, context(other));
    expect(tenantServer.requests).toHaveLength(1);
    expect(tenantServer.requests[0].body.model).toBe('acme-vlm');
    expect(tenantServer.requests[0].authorization).toBe('Bearer sk-acme');
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0].body.model).toBe('gpt-4o');
    const call = await db.prisma.vlmCall.findFirstOrThrow({ where: { editId: acme.editId } });
    expect(call).toMatchObject({ tenantId: 'acme', model: 'acme-vlm', outcome: 'ok' });
  });

  it("builds the prompt from the tenant's examples, with their images, instead of the paper's", async () => {
    const tenant = asTenantId('studio');
    await examples.add(tenant, {
      targetCaption: 'A photo of a blooming flower.',
      temporalCaption: 'The bud slowly opens its petals in the morning light.',
      imageBase64: `data:image/png;base64,${await png(64, 48)}`,
    });
    await examples.add(tenant, {
      targetCaption: 'A photo of a melted candle.',
      temporalCaption: 'The candle gradually melts down, wax pooling at its base.',
    });
    const event = await requested({}, 'studio');
    await useCase().execute(event, context(event));
    const [sent] = server.requests;
    // Two examples (instruction + answer each), then the instruction with the source image.
    expect(sent.body.messages).toHaveLength(5);
    const first = sent.body.messages[0].content as {
      type: string;
      text?: string;
      image_url?: { url: string };
    }[];
    expect(first[0].text).toContain('“A photo of a blooming flower.”');
    expect(first[1].image_url!.url).toMatch(/^data:image\/jpeg;base64,/);
    expect(sent.body.messages[1]).toMatchObject({ role: 'assistant' });
    expect(JSON.stringify(sent.body.messages[1].content)).toContain('The bud slowly opens');
    expect(sent.body.messages[2].content).toHaveLength(1);
    const caption = await db.prisma.caption.findUniqueOrThrow({ where: { editId: event.editId } });
    expect(caption.exampleSet).toBe('tenant');
  });

  it("validates examples, keeps each tenant's to itself, and enforces the limit", async () => {
    const tenant = asTenantId('checks');
    const codeOf = async (work: Promise<unknown>) => {
      try {
        await work;
        return 'no error';
      } catch (error) {
        return error instanceof DomainError ? error.code : String(error);
      }
    };
    const good = { targetCaption: 'A photo of a dog.', temporalCaption: 'The dog slowly sits down.' };
    expect(
      await codeOf(examples.add(tenant, { ...good, temporalCaption: 'A video of a dog sitting.' })),
    ).toBe(ErrorCode.InvalidCaption);
    expect(await codeOf(examples.add(tenant, { ...good, targetCaption: '   ' }))).toBe(
      ErrorCode.InvalidCaption,
    );
    // Text Postgres cannot store faithfully: a lone surrogate, a NUL.
    expect(await codeOf(examples.add(tenant, { ...good, targetCaption: 'A photo of a \ud83d.' }))).toBe(
      ErrorCode.InvalidCaption,
    );
    expect(await codeOf(examples.add(tenant, { ...good, temporalCaption: 'The dog\u0000 sits.' }))).toBe(
      ErrorCode.InvalidCaption,
    );
    // An SVG (nested entities) and a PNG with a bad CRC never reach the store.
    expect(
      await codeOf(examples.add(tenant, { ...good, imageBase64: billionLaughsSvg().toString('base64') })),
    ).toBe(ErrorCode.InvalidImage);
    expect(
      await codeOf(
        examples.add(tenant, {
          ...good,
          imageBase64: withBadIdatCrc(await makeImage(64, 64)).toString('base64'),
        }),
      ),
    ).toBe(ErrorCode.InvalidImage);
    expect(await codeOf(examples.add(tenant, { ...good, imageBase64: 'not base64!' }))).toBe(
      ErrorCode.InvalidImage,
    );
    expect(
      await codeOf(
        examples.add(tenant, { ...good, imageBase64: Buffer.from('GIF89a....').toString('base64') }),
      ),
    ).toBe(ErrorCode.InvalidImage);
    expect(await codeOf(examples.add(tenant, { ...good, imageBase64: await png(1200, 1000) }))).toBe(
      ErrorCode.ImageTooLarge,
    );
    expect(await examples.list(tenant)).toHaveLength(0);

    const kept = await Promise.all([1, 2, 3].map(() => examples.add(tenant, good)));
    expect(await codeOf(examples.add(tenant, good))).toBe(ErrorCode.Conflict);
    expect(await examples.list(asTenantId('someone-else'))).toHaveLength(0);
    expect(await codeOf(examples.remove(asTenantId('someone-else'), kept[0].id))).toBe(ErrorCode.NotFound);
    expect(await examples.remove(tenant, kept[0].id)).toBe(true);
    expect((await examples.list(tenant)).map((e) => e.id).sort()).toEqual([kept[1].id, kept[2].id].sort());
  });
});
