import { randomUUID } from 'node:crypto';

import { selectLastFrame } from '../select-frame.use-case';

describe('selectLastFrame', () => {
  it('picks the frame with the highest index whatever the order of the list', () => {
    const frames = [5, 48, 0, 17].map((index) => ({
      candidate: 0,
      index,
      frameId: randomUUID(),
      blobKey: `f/${index}`,
    }));
    const decision = selectLastFrame(frames);
    expect(decision.frameIndex).toBe(48);
    expect(decision.candidate).toBe(0);
    expect(decision.frameId).toBe(frames[1].frameId);
    expect(decision.policy).toBe('last-frame');
    expect(decision.reason).toContain('48');
  });

  it('takes the last frame of the first candidate when there are several', () => {
    const frames = [1, 0, 2].flatMap((candidate) =>
      [0, 1, 2].map((index) => ({
        candidate,
        index,
        frameId: randomUUID(),
        blobKey: `c${candidate}/${index}`,
      })),
    );
    const decision = selectLastFrame(frames);
    expect([decision.candidate, decision.frameIndex]).toEqual([0, 2]);
    expect(decision.frameId).toBe(frames.find((f) => f.candidate === 0 && f.index === 2)!.frameId);
  });
});
