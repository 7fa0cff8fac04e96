import { randomUUID } from 'node:crypto';

import { Topic } from '@f2f/contracts';

import { applyStageEvent, type StageEvent } from '../edit-state';
import { type HistoryEntry, INITIAL_EDIT_STATE, replayUpdates, toEditUpdate } from '../edit-update';

const frameId = randomUUID();
const at = (s: number) => new Date(Date.UTC(2026, 10, 29, 10, 0, s));
const frameRef = (index: number) => ({ candidate: 0, index, frameId, blobKey: `k/${index}` });

/** A history as the edits service records it: requested, caption, progress with frames, generated, selected, measured. */
const history: HistoryEntry[] = [
  { seq: 1, type: Topic.EditRequested, payload: {}, occurredAt: at(0) },
  {
    seq: 2,
    type: Topic.CaptionCompleted,
    payload: {
      temporalCaption: 'The dog slowly sits down.',
      provenance: 'vlm',
      targetCaption: 'A photo of a sitting dog.',
      sourceKey: 's',
      sourceWidth: 10,
      sourceHeight: 10,
      options: { seed: 1 },
    },
    occurredAt: at(1),
  },
  {
    seq: 3,
    type: Topic.VideoProgress,
    payload: {
      candidate: 0,
      worker: 'w',
      phase: 'denoising',
      step: 7,
      totalSteps: 50,
      framesReady: 0,
      totalFrames: 49,
    },
    occurredAt: at(2),
  },
  {
    seq: 4,
    type: Topic.VideoProgress,
    payload: {
      candidate: 0,
      worker: 'w',
      phase: 'frames',
      step: 50,
      totalSteps: 50,
      framesReady: 2,
      totalFrames: 49,
      frames: [frameRef(0), frameRef(1)],
    },
    occurredAt: at(3),
  },
  {
    seq: 5,
    type: Topic.FrameSelected,
    payload: { candidate: 0, frameIndex: 1, frameId, policy: 'vlm', reason: 'because', collageKeys: [] },
    occurredAt: at(4),
  },
  {
    seq: 6,
    type: Topic.MetricsComputed,
    payload: { frameCount: 2, metrics: ['ssim'], mean: { ssim: 0.9 } },
    occurredAt: at(5),
  },
];

describe('the live feed in domain terms (edit updates)', () => {
  it('says what happened at each step: caption, denoising step k/n, the frames that landed, selection, metrics', () => {
    const updates = replayUpdates(history, 0);
    expect(updates.map((u) => [u.seq, u.type, u.status])).toEqual([
      [1, 'edit.requested', 'SUBMITTED'],
      [2, 'caption.completed', 'GENERATING'],
      [3, 'video.progress', 'GENERATING'],
      [4, 'video.progress', 'GENERATING'],
      [5, 'frame.selected', 'SELECTING'],
      [6, 'metrics.computed', 'COMPLETED'],
    ]);
    expect(updates[1]).toMatchObject({
      temporalCaption: 'The dog slowly sits down.',
      captionProvenance: 'vlm',
    });
    expect(updates[2]).toMatchObject({ step: 7, totalSteps: 50, frames: [] });
    expect(updates[3].frames).toEqual([
      { candidate: 0, index: 0, frameId },
      { candidate: 0, index: 1, frameId },
    ]);
    expect(updates[4].selection).toEqual({ candidate: 0, frameIndex: 1, policy: 'vlm', reason: 'because' });
    expect(updates[5].metricsMean).toEqual({ ssim: 0.9 });
  });

  it('replays only what comes after the last sequence number seen, exactly as it went out live', () => {
    let state = INITIAL_EDIT_STATE;
    const live = history.slice(1).map((entry) => {
      state = applyStageEvent(
        state,
        { type: entry.type, payload: entry.payload } as StageEvent,
        entry.occurredAt,
      );
      return toEditUpdate(entry, state.status);
    });
    expect(replayUpdates(history, 3)).toEqual(live.slice(2));
    expect(replayUpdates(history, 6)).toEqual([]);
  });

  it('keeps a cancelled edit cancelled, and carries the status over unknown entries', () => {
    const cancelled = [
      ...history.slice(0, 3),
      { seq: 4, type: 'edit.cancelled', payload: {}, occurredAt: at(3) },
      { seq: 5, type: 'some.future-entry', payload: {}, occurredAt: at(4) },
    ];
    expect(replayUpdates(cancelled, 3).map((u) => u.status)).toEqual(['CANCELLED', 'CANCELLED']);
  });
});
