import { randomUUID } from 'node:crypto';

import { makeEnvelope, Topic } from '@f2f/contracts';

import { applyStageEvent, type EditState, type StageEvent } from '../edit-state';

const editId = randomUUID();
const tenantId = 'acme';
const options = {
  model: 'preview',
  frames: 49,
  steps: 50,
  guidance: 6,
  fps: 8,
  seed: 1,
  captionMode: 'temporal' as const,
  selection: 'vlm' as const,
  candidates: 1,
  outputWidth: null,
  outputHeight: null,
};

const submitted = (): EditState => ({
  status: 'SUBMITTED',
  temporalCaption: null,
  captionProvenance: null,
  progressStep: 0,
  progressTotal: 50,
  framesReady: 0,
  selectedCandidate: null,
  selectedFrameIndex: null,
  selectionPolicy: null,
  selectionReason: null,
  metricsReady: false,
  failureCode: null,
  failureReason: null,
  completedAt: null,
});

const events = {
  caption: () =>
    makeEnvelope({
      type: Topic.CaptionCompleted,
      editId,
      tenantId,
      payload: {
        temporalCaption: 'The dog sits down.',
        provenance: 'template',
        targetCaption: 'A dog.',
        sourceKey: 'k',
        groundTruthKey: null,
        sourceWidth: 640,
        sourceHeight: 480,
        options,
      },
    }),
  progress: (step: number, framesReady = 0) =>
    makeEnvelope({
      type: Topic.VideoProgress,
      editId,
      tenantId,
      payload: {
        candidate: 0,
        worker: 'w0',
        phase: 'denoising',
        step,
        totalSteps: 50,
        framesReady,
        totalFrames: 49,
        frames: [],
      },
    }),
  generated: (candidates = 1) =>
    makeEnvelope({
      type: Topic.VideoGenerated,
      editId,
      tenantId,
      payload: {
        targetCaption: 'A dog.',
        temporalCaption: 'The dog sits down.',
        sourceKey: 'k',
        groundTruthKey: null,
        model: 'preview',
        generator: 'preview-generator (not a model)',
        width: 640,
        height: 480,
        candidates: Array.from({ length: candidates }, (_, candidate) => ({
          candidate,
          seed: 1 + candidate,
          computeSeconds: 1,
          worker: `w${candidate}`,
          attempts: 1,
        })),
        frames: Array.from({ length: candidates * 49 }, (_, i) => ({
          candidate: Math.floor(i / 49),
          index: i % 49,
          frameId: randomUUID(),
          blobKey: `f/${i}`,
        })),
        computeSeconds: candidates,
        selection: 'vlm',
      },
    }),
  selected: () =>
    makeEnvelope({
      type: Topic.FrameSelected,
      editId,
      tenantId,
      payload: {
        candidate: 1,
        frameIndex: 48,
        frameId: randomUUID(),
        policy: 'last-frame',
        reason: 'last',
        collageKeys: [],
      },
    }),
  metrics: () =>
    makeEnvelope({
      type: Topic.MetricsComputed,
      editId,
      tenantId,
      payload: {
        frameCount: 49,
        metrics: ['ssim', 'psnr'],
        mean: { ssim: 0.8, psnr: 30 },
        selection: 'vlm',
        series: [],
      },
    }),
  failed: () =>
    makeEnvelope({
      type: Topic.EditFailed,
      editId,
      tenantId,
      payload: { stage: 'video-generation', code: 'UNAVAILABLE', reason: 'no GPU' },
    }),
};

const now = new Date('2026-01-01T00:00:00Z');
const run = (list: StageEvent[], from = submitted()) =>
  list.reduce((s, e) => applyStageEvent(s, e, now), from);

describe('applyStageEvent', () => {
  it('walks an edit through its stages to COMPLETED', () => {
    const afterCaption = run([events.caption()]);
    expect(afterCaption).toMatchObject({
      status: 'GENERATING',
      temporalCaption: 'The dog sits down.',
      captionProvenance: 'template',
    });
    const afterVideo = run([events.progress(10), events.generated()], afterCaption);
    expect(afterVideo).toMatchObject({ status: 'SELECTING', framesReady: 49, progressStep: 50 });
    const done = run([events.selected(), events.metrics()], afterVideo);
    expect(done).toMatchObject({
      status: 'COMPLETED',
      selectedCandidate: 1,
      selectedFrameIndex: 48,
      metricsReady: true,
      completedAt: now,
    });
  });

  it('counts the frames of one path when several candidates were generated', () => {
    expect(run([events.caption(), events.generated(3)]).framesReady).toBe(49);
  });

  it('completes with no edit when the selection found no frame (the source image is the result)', () => {
    const noFrame = makeEnvelope({
      type: Topic.FrameSelected,
      editId,
      tenantId,
      payload: {
        candidate: null,
        frameIndex: null,
        frameId: null,
        policy: 'vlm',
        reason: 'none',
        collageKeys: ['c'],
      },
    });
    const done = run([events.caption(), events.generated(), noFrame, events.metrics()]);
    expect(done).toMatchObject({ status: 'COMPLETED', selectedFrameIndex: null, selectionPolicy: 'vlm' });
  });

  it('completes whichever of selection and metrics arrives last', () => {
    const base = run([events.caption(), events.generated()]);
    expect(run([events.metrics()], base).status).toBe('SELECTING');
    expect(run([events.metrics(), events.selected()], base).status).toBe('COMPLETED');
    expect(run([events.selected(), events.metrics()], base).status).toBe('COMPLETED');
  });

  it('never moves back: late progress after the video keeps the edit selecting and progress monotonic', () => {
    const state = run([events.caption(), events.generated(), events.progress(3)]);
    expect(state.status).toBe('SELECTING');
    expect(state.progressStep).toBe(50);
    expect(state.framesReady).toBe(49);
  });

  it('fails an edit with the reason and keeps a finished edit as it is', () => {
    const failed = run([events.caption(), events.failed()]);
    expect(failed).toMatchObject({
      status: 'FAILED',
      failureCode: 'UNAVAILABLE',
      failureReason: 'video-generation: no GPU',
      completedAt: now,
    });
    const completed = run([events.caption(), events.generated(), events.selected(), events.metrics()]);
    expect(run([events.failed(), events.progress(1)], completed)).toMatchObject({
      status: 'COMPLETED',
      failureCode: null,
    });
    expect(run([events.metrics()], failed).status).toBe('FAILED');
  });
});
