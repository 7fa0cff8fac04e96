import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { NO_VLM_USAGE, Topic } from '@f2f/contracts';
import { type BlobStore, FilesystemBlobStore } from '@f2f/storage';
import { VlmDirectory, VlmError } from '@f2f/vlm';

import { makeEditRequested, makeImage, makeImageInspector } from '../../../../../test/support/factories';
import { fakeHandlerContext, RecordingOutbox } from '../../../../../test/support/fake-handler-context';
import { CaptionExamplesService } from '../../examples/caption-examples.service';
import { InMemoryCaptionExamples, InMemoryCaptions, ScriptedVlm } from '../../testing/in-memory-repositories';
import { templateTemporalCaption } from '../template-caption';
import { WriteTemporalCaptionUseCase } from '../write-temporal-caption.use-case';

const inspector = makeImageInspector();
afterAll(() => inspector.close());

async function setup(vlm: ScriptedVlm | null) {
  const blobs: BlobStore = new FilesystemBlobStore(await mkdtemp(path.join(os.tmpdir(), 'f2f-caption-')));
  const captions = new InMemoryCaptions();
  const outbox = new RecordingOutbox();
  const examples = new CaptionExamplesService(
    new InMemoryCaptionExamples(),
    blobs,
    { maxExamples: 3, maxImageBytes: 200_000, maxImagePixels: 1_000_000 },
    inspector,
  );
  const useCase = new WriteTemporalCaptionUseCase(
    outbox,
    captions,
    blobs,
    examples,
    VlmDirectory.single(vlm),
  );
  const event = makeEditRequested();
  await blobs.put(event.payload.sourceKey, await makeImage(64, 48), 'image/png');
  return { captions, outbox, useCase, event, ctx: fakeHandlerContext() };
}

describe('WriteTemporalCaptionUseCase', () => {
  it('announces the usage summed over every VLM call it records, the invalid one included', async () => {
    const vlm = new ScriptedVlm('vlm-a', [
      {
        text: 'In this video the dog sits.',
        latencyMs: 120,
        usage: { promptTokens: 900, completionTokens: 9, totalTokens: 909 },
      },
      {
        text: 'The dog slowly sits down.',
        latencyMs: 80,
        usage: { promptTokens: 950, completionTokens: 7, totalTokens: 957 },
      },
    ]);
    const t = await setup(vlm);
    await t.useCase.execute(t.event, t.ctx.for(t.event));

    const [completed] = t.outbox.of(Topic.CaptionCompleted);
    expect(completed.payload).toMatchObject({
      temporalCaption: 'The dog slowly sits down.',
      provenance: 'vlm',
    });
    expect(completed.payload.usage).toEqual({
      calls: 2,
      promptTokens: 1850,
      completionTokens: 16,
      latencyMs: 200,
      model: 'vlm-a',
    });
    expect(t.captions.calls.map((c) => [c.outcome, c.promptTokens, c.purpose])).toEqual([
      ['invalid', 900, 'temporal-caption'],
      ['ok', 950, 'temporal-caption'],
    ]);
    expect(t.captions.captions.get(t.event.editId)).toMatchObject({
      attempts: 2,
      vlmModel: 'vlm-a',
      exampleSet: 'project',
    });
  });

  it('falls back to the template when the VLM refuses twice, still announcing the failed calls', async () => {
    const vlm = new ScriptedVlm('vlm-a', [new VlmError('no', 'refused'), new VlmError('no', 'refused')]);
    const t = await setup(vlm);
    await t.useCase.execute(t.event, t.ctx.for(t.event));
    const [completed] = t.outbox.of(Topic.CaptionCompleted);
    expect(completed.payload.provenance).toBe('template');
    expect(completed.payload.temporalCaption).toBe(templateTemporalCaption(t.event.payload.targetCaption));
    expect(completed.payload.usage?.calls).toBe(2);
    expect(t.captions.captions.get(t.event.editId)?.fallbackReason).toMatch(/2 call/);
  });

  it('announces no usage (zero calls) without a VLM, and writes nothing twice for a redelivered event', async () => {
    const t = await setup(null);
    await t.useCase.execute(t.event, t.ctx.for(t.event));
    await t.useCase.execute(t.event, t.ctx.for(t.event));
    expect(t.outbox.events).toHaveLength(1);
    expect(t.outbox.of(Topic.CaptionCompleted)[0].payload.usage).toEqual(NO_VLM_USAGE);
    expect(t.captions.calls).toHaveLength(0);
  });

  it('makes no call for the target-caption ablation', async () => {
    const vlm = new ScriptedVlm('vlm-a', []);
    const t = await setup(vlm);
    const event = makeEditRequested({ options: { ...t.event.payload.options, captionMode: 'target' } });
    await t.useCase.execute(event, t.ctx.for(event));
    expect(vlm.requests).toHaveLength(0);
    expect(t.outbox.of(Topic.CaptionCompleted)[0].payload).toMatchObject({
      temporalCaption: event.payload.targetCaption,
      provenance: 'target',
      usage: NO_VLM_USAGE,
    });
  });
});
