import { randomUUID } from 'node:crypto';

import { selectLastFrame } from '../select-frame.use-case';

describe('selectLastFrame', () => {
  it('picks the frame with the highest index whatever the order of the list', () => {
    const frames = [5, 48, 0, 17].map((index) => ({ index, frameId: randomUUID(), blobKey: `f/${index}` }));
    const decision = selectLastFrame(frames);
    expect(decision.frameIndex).toBe(48);
    expect(decision.frameId).toBe(frames[1].frameId);
    expect(decision.policy).toBe('last-frame');
    expect(decision.reason).toContain('48');
  });
});
