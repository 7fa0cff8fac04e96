import { randomUUID } from 'node:crypto';

import { CandidateProgress } from '../candidate-progress';

const frame = (index: number) => ({ candidate: 0, index, frameId: randomUUID(), blobKey: `f/${index}` });

describe('CandidateProgress', () => {
  it('announces at most once per interval unless forced, each stored frame once', () => {
    const progress = new CandidateProgress(1_000);
    progress.stored(frame(0));
    expect(progress.takeAnnouncement(false, 5_000)?.map((f) => f.index)).toEqual([0]);
    progress.stored(frame(1));
    progress.stored(frame(2));
    expect(progress.takeAnnouncement(false, 5_500)).toBeNull();
    expect(progress.takeAnnouncement(true, 5_600)?.map((f) => f.index)).toEqual([1, 2]);
    expect(progress.takeAnnouncement(true, 5_700)).toEqual([]);
    expect(progress.framesReady).toBe(3);
  });

  it('starts the path over on a new attempt, keeping the later copy of a frame', () => {
    const progress = new CandidateProgress(0);
    progress.stored(frame(0));
    progress.stored(frame(1));
    progress.restart('w2');
    expect(progress.worker).toBe('w2');
    expect(progress.framesReady).toBe(0);
    expect(progress.takeAnnouncement(false)).toEqual([]);
    const again = frame(0);
    progress.stored(frame(1));
    progress.stored(again);
    expect(progress.path().map((f) => f.index)).toEqual([0, 1]);
    expect(progress.path()[0]).toBe(again);
  });
});
