import { randomUUID } from 'node:crypto';

import { DomainError, ErrorCode } from '@f2f/common';
import { Topic } from '@f2f/contracts';
import { asTenantId } from '@f2f/database';

import { announcedFrame, generatedPayload, stageEvent, storedEdit } from '../../testing/edit-fixtures';
import {
  InMemoryEditHistory,
  InMemoryEditsRepository,
  InMemoryFramesRepository,
  inMemoryHandlerContext,
} from '../../testing/in-memory';
import { RecordStageEventUseCase } from '../record-stage-event.use-case';

const tenant = asTenantId('acme');

async function setUp() {
  const history = new InMemoryEditHistory();
  const edits = new InMemoryEditsRepository(history);
  const frames = new InMemoryFramesRepository();
  const useCase = new RecordStageEventUseCase(edits, history, frames);
  // An edit that has been captioned and is generating (3 entries so far).
  const edit = await storedEdit(edits, tenant, {
    status: 'GENERATING',
    selectedCandidate: null,
    selectedFrameIndex: null,
    selectionPolicy: null,
    selectionReason: null,
    metricsReady: false,
  });
  const handled = new Set<string>();
  const record = (event: ReturnType<typeof stageEvent>) =>
    useCase.execute(event, inMemoryHandlerContext(event, handled));
  return { history, edits, frames, edit, record };
}

describe('RecordStageEventUseCase', () => {
  it('records the frames video.progress and video.generated announce, once each, in place', async () => {
    const { frames, edit, record, history } = await setUp();
    const first = [0, 1].map((i) => announcedFrame(edit.id, 0, i));
    const progress = (list: typeof first) =>
      stageEvent(edit, Topic.VideoProgress, {
        candidate: 0,
        worker: 'w1',
        phase: 'frames',
        step: 4,
        totalSteps: 4,
        framesReady: list.length,
        totalFrames: 3,
        frames: list,
      });
    await record(progress(first));
    expect(frames.frames.map((f) => [f.candidate, f.index, f.frameId])).toEqual([
      [0, 0, first[0].frameId],
      [0, 1, first[1].frameId],
    ]);
    // video.generated lists every frame again (and a retry stored frame 1 anew): one row per place,
    // with the latest details.
    const retried = { ...announcedFrame(edit.id, 0, 1), frameId: first[1].frameId, bytes: 4242 };
    const all = [first[0], retried, announcedFrame(edit.id, 0, 2)];
    await record(stageEvent(edit, Topic.VideoGenerated, generatedPayload(all)));
    await record(stageEvent(edit, Topic.VideoGenerated, generatedPayload(all))); // re-published: new id
    expect(frames.frames).toHaveLength(3);
    expect(frames.frames.find((f) => f.index === 1)).toMatchObject({
      bytes: 4242,
      tenantId: tenant,
      editId: edit.id,
    });
    expect(frames.frames.find((f) => f.index === 2)).toMatchObject({
      rawBlobKey: all[2].rawBlobKey,
      seed: 7,
      width: 64,
      height: 48,
      sha256: all[2].sha256,
    });
    // The history holds the progress entry and video.generated once.
    expect(history.of(tenant, edit.id).map((e) => [e.seq, e.key])).toEqual([
      [4, 'video.progress/0/frames/0-1'],
      [5, 'video.generated'],
    ]);
  });

  it('leaves out frames announced without their details (events from before frames moved to edits)', async () => {
    const { frames, edit, record, history } = await setUp();
    const complete = announcedFrame(edit.id, 0, 0);
    const { candidate, index, frameId, blobKey } = announcedFrame(edit.id, 0, 1);
    await record(
      stageEvent(
        edit,
        Topic.VideoGenerated,
        generatedPayload([complete, { candidate, index, frameId, blobKey }]),
      ),
    );
    expect(frames.frames.map((f) => f.index)).toEqual([0]);
    // The entry itself is recorded as before.
    expect(history.of(tenant, edit.id).map((e) => e.type)).toEqual([Topic.VideoGenerated]);
  });

  it('records every frame’s metrics from metrics.computed’s series, and completes the edit once selected too', async () => {
    const { frames, edit, edits, record, history } = await setUp();
    const metric = (candidate: number, index: number, ssim: number) => ({
      candidate,
      index,
      frameId: announcedFrame(edit.id, candidate, index).frameId,
      ssim,
      psnr: 20 + index,
      lpips: index === 0 ? null : 0.1 * index,
      clipI: null,
      // Before clipCosine existed, clipScore held the raw cosine: candidate 1 replays such an event.
      ...(candidate === 0 ? { clipScore: 0.75, clipCosine: 0.3 } : { clipScore: 0.3 }),
      targetLpips: null,
      targetClipI: null,
    });
    const series = [metric(0, 0, 0.9), metric(0, 1, 0.8), metric(1, 0, 0.7)];
    const measured = stageEvent(edit, Topic.MetricsComputed, {
      frameCount: 3,
      metrics: ['ssim', 'psnr'],
      mean: { ssim: 0.8, psnr: 20.33 },
      selection: 'vlm',
      series,
    });
    await record(measured);
    await record({ ...measured, eventId: randomUUID() });
    expect(
      frames.metrics.map(({ candidate, index, ssim, psnr, lpips, clipScore, clipCosine }) => [
        candidate,
        index,
        ssim,
        psnr,
        lpips,
        clipScore,
        clipCosine,
      ]),
    ).toEqual([
      [0, 0, 0.9, 20, null, 0.75, 0.3],
      [0, 1, 0.8, 21, 0.1, 0.75, 0.3],
      [1, 0, 0.7, 20, null, 0.75, 0.3],
    ]);
    expect((await edits.findEdit(tenant, edit.id))?.metricsReady).toBe(true);
    await record(
      stageEvent(edit, Topic.FrameSelected, {
        candidate: 0,
        frameIndex: 1,
        frameId: series[1].frameId,
        policy: 'vlm',
        reason: 'The selected edit is:1',
        collageKeys: [],
        usage: { calls: 1, promptTokens: 900, completionTokens: 9, latencyMs: 800, model: 'gpt-4o' },
      }),
    );
    const done = await edits.findEdit(tenant, edit.id);
    expect([done?.status, done?.selectedFrameIndex, done?.historySeq]).toEqual(['COMPLETED', 1, 5]);
    expect(history.announced(edit.id)).toEqual([
      { seq: 4, type: Topic.MetricsComputed, status: 'SELECTING', previous: 'GENERATING' },
      { seq: 5, type: Topic.FrameSelected, status: 'COMPLETED', previous: 'SELECTING' },
    ]);
    // The usage stays on the history entry: the analytics read it from there.
    expect(history.of(tenant, edit.id)[1].payload).toMatchObject({ usage: { calls: 1, promptTokens: 900 } });
    expect(history.of(tenant, edit.id)[1].announcement.causeEvent?.type).toBe(Topic.FrameSelected);
  });

  it('refuses an event of an edit the tenant does not have, recording nothing', async () => {
    const { frames, edit, record, history } = await setUp();
    const theirs = { id: edit.id, tenantId: 'other' };
    const event = stageEvent(theirs, Topic.VideoGenerated, generatedPayload([announcedFrame(edit.id, 0, 0)]));
    await expect(record(event)).rejects.toMatchObject({ code: ErrorCode.NotFound });
    await expect(record(event)).rejects.toBeInstanceOf(DomainError); // not handled: delivered again, refused again
    expect(frames.frames).toEqual([]);
    expect(history.entries).toEqual([]);
  });
});
