import { describe, expect, it } from 'vitest';

import { applyUpdate, initialLive } from '../live';

const entry = (seq: number, over: Partial<Parameters<typeof applyUpdate>[1]> = {}) => ({
  editId: 'e1',
  seq,
  type: 'video.progress',
  status: 'GENERATING' as const,
  occurredAt: new Date(2026, 0, 1, 0, 0, seq).toISOString(),
  temporalCaption: null,
  candidate: 0,
  step: null,
  totalSteps: null,
  framesReady: null,
  totalFrames: null,
  frames: [],
  selection: null,
  failure: null,
  ...over,
});

describe('the live view folded from the feed', () => {
  it('keeps the stages, the step, the caption and each landed frame in order', () => {
    let s = applyUpdate(initialLive, entry(1, { type: 'edit.requested', status: 'SUBMITTED' }));
    s = applyUpdate(
      s,
      entry(2, { type: 'caption.completed', status: 'CAPTIONING', temporalCaption: 'It rolls.' }),
    );
    s = applyUpdate(s, entry(3, { step: 10, totalSteps: 50 }));
    s = applyUpdate(
      s,
      entry(4, { step: 50, totalSteps: 50, frames: [{ candidate: 0, index: 0, frameId: 'f0' }] }),
    );
    s = applyUpdate(s, entry(5, { frames: [{ candidate: 0, index: 1, frameId: 'f1' }] }));
    expect(s.timeline.map((t) => t.type)).toEqual(['edit.requested', 'caption.completed']);
    expect(s).toMatchObject({
      lastSeq: 5,
      step: 50,
      totalSteps: 50,
      temporalCaption: 'It rolls.',
      landed: ['f0', 'f1'],
    });
  });

  it('a reconnect that replays from an earlier seq neither repeats nor skips anything', () => {
    const live = [1, 2, 3].map((n) => entry(n, { frames: [{ candidate: 0, index: n, frameId: `f${n}` }] }));
    let s = live.reduce(applyUpdate, initialLive);
    // The socket dropped after seq 3; the subscription asks again and the gateway replays 1..5.
    const replay = [1, 2, 3, 4, 5].map((n) =>
      entry(n, { frames: [{ candidate: 0, index: n, frameId: `f${n}` }] }),
    );
    s = replay.reduce(applyUpdate, s);
    expect(s.landed).toEqual(['f1', 'f2', 'f3', 'f4', 'f5']);
    expect(s.lastSeq).toBe(5);
  });

  it('keeps the failure', () => {
    const s = applyUpdate(
      initialLive,
      entry(1, {
        type: 'edit.failed',
        status: 'FAILED',
        failure: { code: 'GENERATION_FAILED', reason: 'no GPU' },
      }),
    );
    expect(s.failure).toEqual({ code: 'GENERATION_FAILED', reason: 'no GPU' });
    expect(s.status).toBe('FAILED');
  });
});
