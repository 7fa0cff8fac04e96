import { randomUUID } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import {
  type EventEnvelope,
  type FrameMetrics,
  makeEnvelope,
  NO_VLM_USAGE,
  type SelectionPolicy,
  Topic,
} from '@f2f/contracts';
import type { TenantId } from '@f2f/database';
import { type BlobStore, FilesystemBlobStore } from '@f2f/storage';
import { VlmDirectory } from '@f2f/vlm';

import { makeImage } from '../../../../../test/support/factories';
import { fakeHandlerContext, RecordingOutbox } from '../../../../../test/support/fake-handler-context';
import { InMemorySelections, ScriptedVlm } from '../../testing/in-memory-selections';
import { DEFAULT_METRIC_POLICY } from '../metric-policy';
import { SelectFrameUseCase } from '../select-frame.use-case';

const FRAMES = 17;

async function setup(vlm: ScriptedVlm | null) {
  const blobs: BlobStore = new FilesystemBlobStore(await mkdtemp(path.join(os.tmpdir(), 'f2f-select-')));
  const selections = new InMemorySelections();
  const outbox = new RecordingOutbox();
  const useCase = new SelectFrameUseCase(
    outbox,
    selections,
    blobs,
    DEFAULT_METRIC_POLICY,
    VlmDirectory.single(vlm),
  );
  const image = await makeImage(32, 24);
  const generated = async (
    selection: SelectionPolicy,
    candidates = 1,
  ): Promise<EventEnvelope<Topic.VideoGenerated>> => {
    const editId = randomUUID();
    await blobs.put(`s/${editId}.png`, image, 'image/png');
    const frames = [];
    for (let candidate = 0; candidate < candidates; candidate++) {
      for (let index = 0; index < FRAMES; index++) {
        const blobKey = `f/${editId}/${candidate}/${index}.png`;
        await blobs.put(blobKey, image, 'image/png');
        frames.push({ candidate, index, frameId: randomUUID(), blobKey });
      }
    }
    return makeEnvelope({
      type: Topic.VideoGenerated,
      editId,
      tenantId: 'tenant-a',
      payload: {
        targetCaption: 'A sitting dog.',
        temporalCaption: 'The dog sits.',
        sourceKey: `s/${editId}.png`,
        groundTruthKey: null,
        model: 'preview',
        generator: 'g',
        width: 32,
        height: 24,
        candidates: [...Array(candidates).keys()].map((c) => ({
          candidate: c,
          seed: c,
          computeSeconds: 1,
          worker: 'w',
          attempts: 1,
        })),
        frames,
        computeSeconds: candidates,
        selection,
      },
    });
  };
  return { selections, outbox, useCase, generated, ctx: fakeHandlerContext() };
}

describe('SelectFrameUseCase', () => {
  it('with the VLM policy: the earliest fulfilling frame, its calls recorded and their usage summed on frame.selected', async () => {
    const vlm = new ScriptedVlm('vlm-b', [
      { text: 'The selected edit is:4', latencyMs: 300, promptTokens: 1000, completionTokens: 7 },
      { text: 'maybe the second', latencyMs: 200, promptTokens: 1100, completionTokens: 5 },
      { text: 'The selected edit is:2', latencyMs: 250, promptTokens: 1050, completionTokens: 6 },
    ]);
    const t = await setup(vlm);
    const event = await t.generated('vlm', 2);
    await t.useCase.execute(event, t.ctx.for(event));

    const [selected] = t.outbox.of(Topic.FrameSelected);
    // The collage shows every fourth frame: image 2 is frame 8, earlier than candidate 0's image 4 (frame 16).
    expect(selected.payload).toMatchObject({ candidate: 1, frameIndex: 8, policy: 'vlm' });
    expect(selected.payload.frameId).toBe(
      event.payload.frames.find((f) => f.candidate === 1 && f.index === 8)!.frameId,
    );
    expect(selected.payload.collageKeys).toHaveLength(2);
    expect(selected.payload.usage).toEqual({
      calls: 3,
      promptTokens: 3150,
      completionTokens: 18,
      latencyMs: 750,
      model: 'vlm-b',
    });
    expect(t.selections.calls.map((c) => [c.outcome, c.purpose])).toEqual([
      ['ok', 'frame-selection'],
      ['invalid', 'frame-selection'],
      ['ok', 'frame-selection'],
    ]);
    expect(await t.selections.forEdit('tenant-a' as TenantId, event.editId)).toMatchObject({
      vlmModel: 'vlm-b',
      rawAnswers: ['The selected edit is:4', 'maybe the second', 'The selected edit is:2'],
      fallbackReason: null,
    });
    expect(await t.selections.forEdit('tenant-b' as TenantId, event.editId)).toBeNull();
  });

  it('with the last-frame policy: no VLM call, zero usage, the final frame', async () => {
    const vlm = new ScriptedVlm('vlm-b', []);
    const t = await setup(vlm);
    const event = await t.generated('last-frame');
    await t.useCase.execute(event, t.ctx.for(event));
    expect(vlm.requests).toHaveLength(0);
    const [selected] = t.outbox.of(Topic.FrameSelected);
    expect(selected.payload).toMatchObject({
      frameIndex: FRAMES - 1,
      policy: 'last-frame',
      usage: NO_VLM_USAGE,
    });
  });

  it('with the VLM policy and no VLM: the last frame, saying why, zero usage', async () => {
    const t = await setup(null);
    const event = await t.generated('vlm');
    await t.useCase.execute(event, t.ctx.for(event));
    const [selected] = t.outbox.of(Topic.FrameSelected);
    expect(selected.payload).toMatchObject({ frameIndex: FRAMES - 1, usage: NO_VLM_USAGE });
    expect(t.selections.selections.get(event.editId)?.fallbackReason).toBe('no VLM configured');
  });

  it('leaves the metric policy to metrics.computed, and decides there with zero usage', async () => {
    const t = await setup(null);
    const event = await t.generated('metric');
    await t.useCase.execute(event, t.ctx.for(event));
    expect(t.outbox.events).toHaveLength(0);
    const series: FrameMetrics[] = event.payload.frames.map((f) => ({
      candidate: f.candidate,
      index: f.index,
      frameId: f.frameId,
      ssim: 0.9,
      psnr: 30,
      lpips: 0.05 + f.index * 0.01,
      clipI: 0.9,
      clipScore: Math.min(0.3, 0.2 + f.index * 0.02),
      targetLpips: null,
      targetClipI: null,
    }));
    const computed = makeEnvelope({
      type: Topic.MetricsComputed,
      editId: event.editId,
      tenantId: event.tenantId,
      payload: { frameCount: series.length, metrics: ['ssim'], mean: {}, selection: 'metric', series },
    });
    await t.useCase.executeMetric(computed, t.ctx.for(computed));
    const [selected] = t.outbox.of(Topic.FrameSelected);
    expect(selected.payload.policy).toBe('metric');
    expect(selected.payload.frameIndex).not.toBeNull();
    expect(selected.payload.usage).toEqual(NO_VLM_USAGE);
  });

  it('decides once for a redelivered event', async () => {
    const t = await setup(null);
    const event = await t.generated('last-frame');
    await t.useCase.execute(event, t.ctx.for(event));
    await t.useCase.execute(event, t.ctx.for(event));
    expect(t.outbox.of(Topic.FrameSelected)).toHaveLength(1);
  });
});
