import { randomUUID } from 'node:crypto';

import { type EventPayloads, makeEnvelope, Topic } from '@f2f/contracts';

import type { StageEvent } from '../edit-state';
import { formatRanges, historyKeyScope, newHistoryEntry, parseRanges } from '../history-key';

const editId = randomUUID();
const progress = (payload: Partial<EventPayloads[Topic.VideoProgress]>) =>
  makeEnvelope({
    type: Topic.VideoProgress,
    editId,
    tenantId: 't',
    payload: {
      candidate: 1,
      worker: 'w',
      phase: 'frames',
      step: 50,
      totalSteps: 50,
      framesReady: 0,
      totalFrames: 49,
      frames: [],
      ...payload,
    },
  }) as StageEvent;
const frames = (...indices: number[]) =>
  indices.map((index) => ({ candidate: 1, index, frameId: randomUUID(), blobKey: `k/${index}` }));

describe('history keys', () => {
  it('writes and reads frame indices as ranges', () => {
    expect(formatRanges([0, 1, 2, 3, 7, 9, 10])).toBe('0-3,7,9-10');
    expect(parseRanges('0-3,7,9-10')).toEqual([0, 1, 2, 3, 7, 9, 10]);
    expect(parseRanges('')).toEqual([]);
    expect(parseRanges('5-2,x')).toEqual([]);
  });

  it('keys a transition by its type: once per edit', () => {
    const failed = makeEnvelope({
      type: Topic.EditFailed,
      editId,
      tenantId: 't',
      payload: { stage: 'video', code: 'UNAVAILABLE', reason: 'no worker' },
    }) as StageEvent;
    expect(historyKeyScope(failed)).toBe('edit.failed');
    expect(newHistoryEntry(failed, [])).toEqual({ event: failed, key: 'edit.failed' });
    expect(newHistoryEntry(failed, ['edit.failed'])).toBeNull();
  });

  it('records a denoising step only past the candidate’s last recorded step', () => {
    const step = (n: number) => progress({ phase: 'denoising', step: n, framesReady: 0 });
    expect(historyKeyScope(step(3))).toBe('video.progress/1/');
    const recorded = ['video.progress/1/step/1', 'video.progress/1/step/20', 'video.progress/1/frames/0-3'];
    expect(newHistoryEntry(step(20), recorded)).toBeNull();
    expect(newHistoryEntry(step(7), recorded)).toBeNull();
    expect(newHistoryEntry(step(21), recorded)?.key).toBe('video.progress/1/step/21');
    // Another candidate's steps are another scope: the caller passes only this one's keys.
    expect(newHistoryEntry(step(1), ['video.progress/10/step/30'])?.key).toBe('video.progress/1/step/1');
  });

  it('cuts a progress event to the frames no entry listed, and drops it when none is new', () => {
    const recorded = ['video.progress/1/frames/0-4', 'video.progress/1/frames/5,7'];
    const entry = newHistoryEntry(progress({ frames: frames(4, 5, 6, 7, 8, 8), framesReady: 9 }), recorded);
    expect(entry?.key).toBe('video.progress/1/frames/6,8');
    const payload = entry?.event.payload as EventPayloads[Topic.VideoProgress];
    expect(payload.frames.map((f) => f.index)).toEqual([6, 8]);
    expect(payload.framesReady).toBe(9); // 0-5, 7 listed before, 6 and 8 now
    expect(newHistoryEntry(progress({ frames: frames(0, 1, 7) }), recorded)).toBeNull();
  });
});
