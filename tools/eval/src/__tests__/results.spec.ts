import { resultFromEdit, type RunContext } from '../results';
import { makeEdit, makeFrame } from './factories';

const ALL = ['lpips', 'clipI', 'clipScore', 'targetLpips', 'targetClipI', 'ssim', 'psnr'] as const;
const ctx = (overrides: Partial<RunContext> = {}): RunContext => ({
  itemId: 'a',
  variant: 'F2F',
  seed: 3,
  hasGroundTruth: false,
  servedFields: ALL,
  durationMs: 10,
  ...overrides,
});

describe('resultFromEdit', () => {
  it('takes the selected frame’s metrics for an edited result', () => {
    const r = resultFromEdit(makeEdit({ selectedFrame: makeEdit().frames[20]! }), ctx());
    expect(r.outcome).toBe('EDITED');
    expect(r.selectedIndex).toBe(20);
    expect(r.frameCount).toBe(49);
    expect(r.metrics).toEqual({
      sourceLpips: 0.2,
      sourceClipI: 0.9,
      clip: 0.22,
      targetLpips: null,
      targetClipI: null,
      ssim: 0.8,
      psnr: 25,
    });
  });

  it('keeps the target metrics only for items with a ground truth', () => {
    const edit = makeEdit({}, 49, true);
    expect(resultFromEdit(edit, ctx({ hasGroundTruth: true })).metrics).toMatchObject({
      targetLpips: 0.5 - 12 / 200,
      targetClipI: 0.6 + 12 / 500,
    });
  });

  it('scores a no-edit result as the source image, with frame 0’s CLIP score and target metrics', () => {
    const edit = makeEdit({ noEdit: true, selectedFrame: null }, 49, true);
    const r = resultFromEdit(edit, ctx({ hasGroundTruth: true }));
    expect(r.outcome).toBe('NO_EDIT');
    expect(r.selectedIndex).toBeNull();
    expect(r.metrics).toEqual({
      sourceLpips: 0,
      sourceClipI: 1,
      clip: 0.2,
      targetLpips: 0.5,
      targetClipI: 0.6,
      ssim: 1,
      psnr: 100,
    });
  });

  it('passes on the platform’s failure code and reason for failed and cancelled edits', () => {
    const failed = resultFromEdit(
      makeEdit({ status: 'FAILED', selectedFrame: null, frames: [], failure: { code: 'X', reason: 'boom' } }),
      ctx(),
    );
    expect([failed.outcome, failed.failureCode, failed.failureReason, failed.metrics]).toEqual([
      'FAILED',
      'X',
      'boom',
      null,
    ]);
    const cancelled = resultFromEdit(makeEdit({ status: 'CANCELLED', selectedFrame: null }), ctx());
    expect([cancelled.outcome, cancelled.failureCode]).toEqual(['CANCELLED', 'CANCELLED']);
  });

  it('counts a completed edit without the metrics its row needs as a failure, naming them', () => {
    const noMetrics = resultFromEdit(makeEdit({ selectedFrame: makeFrame(12, null) }), ctx());
    expect(noMetrics.outcome).toBe('FAILED');
    expect(noMetrics.failureCode).toBe('METRICS_MISSING');
    expect(noMetrics.failureReason).toBe('the selected frame 0/12 has no lpips, clipI, clipScore');
    // A ground truth but no target metrics on the frame.
    const noTarget = resultFromEdit(makeEdit(), ctx({ hasGroundTruth: true }));
    expect(noTarget.failureReason).toBe('the selected frame 0/12 has no targetLpips, targetClipI');
    const noFrame0 = resultFromEdit(makeEdit({ noEdit: true, selectedFrame: null, frames: [] }), ctx());
    expect(noFrame0.failureCode).toBe('METRICS_MISSING');
    const neither = resultFromEdit(makeEdit({ selectedFrame: null }), ctx());
    expect(neither.failureCode).toBe('NO_SELECTION');
  });

  it('does not require metrics the platform does not serve (--allow-missing-metrics): they stay null', () => {
    const edit = makeEdit({ selectedFrame: makeFrame(12, { lpips: null, clipI: null, clipScore: null }) });
    const r = resultFromEdit(edit, ctx({ servedFields: ['ssim', 'psnr'] }));
    expect(r.outcome).toBe('EDITED');
    expect(r.metrics).toMatchObject({ sourceLpips: null, clip: null, ssim: 0.8 });
    // A no-edit result does not pretend to know them either.
    // What the client reads when it asks only for ssim and psnr: the learned fields are null.
    const unserved = { lpips: null, clipI: null, clipScore: null };
    const none = resultFromEdit(
      makeEdit({
        noEdit: true,
        selectedFrame: null,
        frames: [makeFrame(0, unserved), makeFrame(1, unserved)],
      }),
      ctx({ servedFields: ['ssim', 'psnr'] }),
    );
    expect(none.outcome).toBe('NO_EDIT');
    expect(none.metrics).toMatchObject({
      sourceLpips: null,
      sourceClipI: null,
      clip: null,
      ssim: 1,
      psnr: 100,
    });
  });
});
