import { randomUUID } from 'node:crypto';

import type { FrameMetrics } from '@f2f/contracts';

import { DEFAULT_METRIC_POLICY, pickOnPath, selectByMetrics, smooth } from '../metric-policy';

/** A path whose CLIP score and LPIPS follow the given functions of the frame index. */
function path(
  candidate: number,
  clip: (i: number) => number,
  lpips: (i: number) => number,
  frames = 49,
): FrameMetrics[] {
  return Array.from({ length: frames }, (_, index) => ({
    candidate,
    index,
    frameId: randomUUID(),
    ssim: 1 - index / 100,
    psnr: 40 - index / 4,
    lpips: lpips(index),
    clipI: 1 - index / 200,
    clipScore: clip(index),
    targetLpips: null,
    targetClipI: null,
  }));
}

/** A CLIP score that rises linearly from 0.20 to 0.30 between frames `from` and `to`, then stays. */
const ramp = (from: number, to: number) => (i: number) =>
  0.2 + 0.1 * Math.min(1, Math.max(0, (i - from) / (to - from)));

describe('the metric selection policy', () => {
  it('smooths with a centred three-frame median', () => {
    expect(smooth([0, 3, 0, 3])).toEqual([1.5, 0, 3, 1.5]);
    expect(smooth([1, 1, 9, 1, 1])).toEqual([1, 1, 1, 1, 1]);
  });

  it('picks the earliest frame that has made 90% of the gain to the plateau', () => {
    const pick = pickOnPath(
      path(0, ramp(10, 30), (i) => i / 200),
      DEFAULT_METRIC_POLICY,
    );
    // 90% of the ramp from 10 to 30 is reached at frame 28.
    expect(pick.frame?.index).toBe(28);
  });

  it('skips frames whose LPIPS is over the bound, and reports no edit when none is left', () => {
    const far = pickOnPath(
      path(0, ramp(10, 30), (i) => (i < 35 ? 0.6 : 0.3)),
      DEFAULT_METRIC_POLICY,
    );
    expect(far.frame?.index).toBe(35);
    const decision = selectByMetrics(
      path(0, ramp(10, 30), () => 0.9),
      DEFAULT_METRIC_POLICY,
    );
    expect(decision.kind).toBe('no-edit');
    expect(decision.reason).toMatch(/LPIPS above 0.45/);
  });

  it('finds no edit on a path whose CLIP score never rises', () => {
    const decision = selectByMetrics(
      path(
        0,
        (i) => 0.3 - i / 1000,
        () => 0.1,
      ),
      DEFAULT_METRIC_POLICY,
    );
    expect(decision).toMatchObject({ kind: 'no-edit' });
    expect(decision.reason).toMatch(/never rises/);
  });

  it('chooses the earliest qualifying frame across candidates', () => {
    const series = [...path(0, ramp(20, 40), () => 0.1), ...path(1, ramp(5, 15), () => 0.1)];
    const decision = selectByMetrics(series, DEFAULT_METRIC_POLICY);
    expect(decision).toMatchObject({ kind: 'frame', candidate: 1, frameIndex: 14 });
    if (decision.kind === 'frame') {
      expect(decision.frameId).toBe(series.find((f) => f.candidate === 1 && f.index === 14)!.frameId);
    }
  });

  it('one noisy frame does not count as reaching the plateau', () => {
    const spike = (i: number) => (i === 5 ? 0.5 : ramp(20, 40)(i));
    const decision = selectByMetrics(
      path(0, spike, () => 0.1),
      DEFAULT_METRIC_POLICY,
    );
    expect(decision).toMatchObject({ kind: 'frame' });
    if (decision.kind === 'frame') expect(decision.frameIndex).toBeGreaterThan(20);
  });

  it('is unavailable without learned metrics', () => {
    const series = path(0, ramp(1, 2), () => 0.1).map((f) => ({ ...f, clipScore: null }));
    expect(selectByMetrics(series, DEFAULT_METRIC_POLICY)).toMatchObject({ kind: 'unavailable' });
    expect(selectByMetrics([], DEFAULT_METRIC_POLICY)).toMatchObject({ kind: 'unavailable' });
  });
});
