import { createHash, randomUUID } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { DomainError, ErrorCode } from '@f2f/common';
import { type EventEnvelope, generationOptionsSchema, makeEnvelope, Topic } from '@f2f/contracts';
import { type FrameEncoding, PNG_FRAMES, VIDEO_HEIGHT, VIDEO_WIDTH } from '@f2f/imaging';
import { type BlobStore, FilesystemBlobStore } from '@f2f/storage';
import sharp from 'sharp';

import { makeImage } from '../../../../../test/support/factories';
import { fakeHandlerContext, RecordingOutbox } from '../../../../../test/support/fake-handler-context';
import { frameId, GenerateVideoUseCase } from '../generate-video.use-case';
import { RunningGenerations } from '../running-generations';
import { InMemoryCancelledEdits, InMemoryOutbox } from '../testing/in-memory-repositories';
import type { GenerationEvent, VideoGenerator } from '../worker-pool';

const FRAMES = 4;

/** A generator double: `attempts` streams per candidate, the earlier ones dying after `diesAfter` frames. */
class ScriptedGenerator implements VideoGenerator {
  calls = 0;
  constructor(private readonly script: { attempts?: number; diesAfter?: number; frames?: number } = {}) {}

  async *generate(request: Parameters<VideoGenerator['generate']>[0]): AsyncIterable<GenerationEvent> {
    this.calls++;
    const attempts = this.script.attempts ?? 1;
    const png = await sharp({
      create: {
        width: VIDEO_WIDTH,
        height: VIDEO_HEIGHT,
        channels: 3,
        background: { r: request.seed * 10, g: 0, b: 0 },
      },
    })
      .png()
      .toBuffer();
    for (let attempt = 1; attempt <= attempts; attempt++) {
      yield { kind: 'started', worker: `w${attempt}`, attempt };
      yield { kind: 'progress', step: 1, totalSteps: 2 };
      yield { kind: 'progress', step: 2, totalSteps: 2 };
      const last =
        attempt < attempts ? (this.script.diesAfter ?? 1) : (this.script.frames ?? request.numFrames);
      for (let index = 0; index < last; index++)
        yield { kind: 'frame', index, png, width: VIDEO_WIDTH, height: VIDEO_HEIGHT };
    }
    yield {
      kind: 'summary',
      seed: request.seed,
      isModel: false,
      computeSeconds: 1.5,
      worker: `w${attempts}`,
      attempts,
      generator: 'scripted',
      modelId: 'scripted-model',
    };
  }
}

const WEBP_85: FrameEncoding = { format: 'webp', quality: 85 };

/**
 * A filesystem blob store whose writes of frame `slowIndex` take `delayMs` longer and whose writes of
 * frame `failIndex` fail; it counts the frames being written at once.
 */
class ScriptedBlobStore extends FilesystemBlobStore {
  private writing = new Set<string>();
  mostFramesAtOnce = 0;
  constructor(
    dir: string,
    private readonly script: { slowIndex?: number; delayMs?: number; failIndex?: number },
  ) {
    super(dir);
  }

  override async put(key: string, body: Buffer) {
    const frame = /\/frames\/(\d{3})\.webp$/.exec(key);
    if (!frame) return super.put(key, body);
    const index = Number(frame[1]);
    this.writing.add(key);
    this.mostFramesAtOnce = Math.max(this.mostFramesAtOnce, this.writing.size);
    try {
      if (index === this.script.slowIndex) await new Promise((r) => setTimeout(r, this.script.delayMs));
      if (index === this.script.failIndex) throw new Error(`disk full writing frame ${index}`);
      return await super.put(key, body);
    } finally {
      this.writing.delete(key);
    }
  }
}

async function setup(
  generator: VideoGenerator = new ScriptedGenerator(),
  frameEncoding = WEBP_85,
  {
    framesInFlight = 2,
    blobScript,
  }: { framesInFlight?: number; blobScript?: ScriptedBlobStore['script'] } = {},
) {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'f2f-generate-'));
  const blobs: BlobStore = blobScript ? new ScriptedBlobStore(dir, blobScript) : new FilesystemBlobStore(dir);
  const cancelled = new InMemoryCancelledEdits();
  const progress = new InMemoryOutbox();
  const outbox = new RecordingOutbox();
  const running = new RunningGenerations();
  const useCase = new GenerateVideoUseCase(outbox, running, cancelled, progress, blobs, generator, {
    deadlineMs: 10_000,
    progressMinIntervalMs: 0,
    frameEncoding,
    framesInFlight,
  });
  const tenantId = `tenant-${randomUUID()}`;
  const editId = randomUUID();
  const sourceKey = `tenants/${tenantId}/edits/${editId}/source.png`;
  await blobs.put(sourceKey, await makeImage(96, 64), 'image/png');
  const event = (candidates = 1): EventEnvelope<Topic.CaptionCompleted> =>
    makeEnvelope({
      type: Topic.CaptionCompleted,
      editId,
      tenantId,
      payload: {
        temporalCaption: 'The dog sits down.',
        provenance: 'template',
        targetCaption: 'A sitting dog.',
        sourceKey,
        sourceWidth: 96,
        sourceHeight: 64,
        groundTruthKey: null,
        options: generationOptionsSchema.parse({
          seed: 7,
          steps: 2,
          frames: FRAMES,
          candidates,
          outputWidth: 48,
          outputHeight: 32,
        }),
      },
    });
  return {
    blobs,
    cancelled,
    progress,
    outbox,
    running,
    useCase,
    event,
    editId,
    tenantId,
    ctx: fakeHandlerContext(),
  };
}

describe('GenerateVideoUseCase', () => {
  it('announces every stored frame whole, once in progress and in video.generated, with ids that depend only on edit, candidate and index', async () => {
    const t = await setup();
    const caption = t.event(2);
    await t.useCase.execute(caption, t.ctx.for(caption));

    const [generated] = t.outbox.of(Topic.VideoGenerated);
    expect(t.outbox.events).toHaveLength(1);
    const { frames, candidates, computeSeconds } = generated.payload;
    expect(frames.map((f) => [f.candidate, f.index])).toEqual(
      [0, 1].flatMap((c) => [...Array(FRAMES).keys()].map((i) => [c, i])),
    );
    expect(candidates.map((c) => c.seed)).toEqual([7, 8]);
    expect(computeSeconds).toBe(3);
    for (const frame of frames) {
      expect(frame.frameId).toBe(frameId(t.editId, frame.candidate, frame.index));
      expect(frame).toMatchObject({ seed: 7 + frame.candidate, width: 48, height: 32 });
      const stored = await t.blobs.get(frame.blobKey);
      expect(frame.bytes).toBe(stored.length);
      expect(frame.sha256).toBe(createHash('sha256').update(stored).digest('hex'));
      expect(await sharp(stored).metadata()).toMatchObject({ format: 'webp', width: 48 });
      expect(frame.blobKey).toMatch(/\/frames\/\d{3}\.webp$/);
      expect(await sharp(await t.blobs.get(frame.rawBlobKey!)).metadata()).toMatchObject({
        format: 'webp',
        width: VIDEO_WIDTH,
      });
      expect(await sharp(await t.blobs.get(frame.losslessBlobKey!)).metadata()).toMatchObject({
        format: 'png',
        width: 48,
      });
    }
    const announced = t.progress.of(Topic.VideoProgress).flatMap((e) => e.payload.frames);
    expect(announced).toHaveLength(frames.length);
    expect(new Set(announced.map((f) => f.frameId))).toEqual(new Set(frames.map((f) => f.frameId)));
    expect(announced.every((f) => f.sha256 && f.rawBlobKey && f.bytes)).toBe(true);
  });

  it('keeps the lossy frame within a few levels of its lossless copy (same pixels, other bytes)', async () => {
    const t = await setup();
    const caption = t.event();
    await t.useCase.execute(caption, t.ctx.for(caption));

    const [frame] = t.outbox.of(Topic.VideoGenerated)[0].payload.frames;
    const lossy = await sharp(await t.blobs.get(frame.blobKey))
      .raw()
      .toBuffer();
    const lossless = await sharp(await t.blobs.get(frame.losslessBlobKey!))
      .raw()
      .toBuffer();
    expect(lossy.length).toBe(lossless.length);
    const worst = lossy.reduce((m, v, i) => Math.max(m, Math.abs(v - lossless[i])), 0);
    expect(worst).toBeLessThanOrEqual(8);
  });

  it('with FRAME_FORMAT png stores every frame lossless and announces no separate lossless copy', async () => {
    const t = await setup(new ScriptedGenerator(), PNG_FRAMES);
    const caption = t.event();
    await t.useCase.execute(caption, t.ctx.for(caption));

    for (const frame of t.outbox.of(Topic.VideoGenerated)[0].payload.frames) {
      expect(frame.losslessBlobKey).toBeUndefined();
      expect(frame.blobKey).toMatch(/\.png$/);
      expect((await sharp(await t.blobs.get(frame.blobKey)).metadata()).format).toBe('png');
      expect((await sharp(await t.blobs.get(frame.rawBlobKey!)).metadata()).format).toBe('png');
    }
  });

  it('after a worker died mid-stream, lists each frame once in video.generated (the same ids as the first attempt announced)', async () => {
    const t = await setup(new ScriptedGenerator({ attempts: 2, diesAfter: 2 }));
    const caption = t.event();
    await t.useCase.execute(caption, t.ctx.for(caption));

    const [generated] = t.outbox.of(Topic.VideoGenerated);
    expect(generated.payload.frames.map((f) => f.index)).toEqual([0, 1, 2, 3]);
    expect(generated.payload.candidates[0].attempts).toBe(2);
    const announced = t.progress.of(Topic.VideoProgress).flatMap((e) => e.payload.frames);
    // The retry announces its frames from 0 again, under the same ids.
    expect(announced.map((f) => f.index)).toEqual([0, 1, 0, 1, 2, 3]);
    expect(new Set(announced.map((f) => f.frameId)).size).toBe(FRAMES);
    expect(t.progress.of(Topic.VideoProgress).map((e) => e.payload.worker)).toContain('w2');
  });

  it('stores frames several at a time, yet announces them in the order they came (a slow write holds the later ones back)', async () => {
    const t = await setup(new ScriptedGenerator(), WEBP_85, {
      framesInFlight: 3,
      blobScript: { slowIndex: 0, delayMs: 150 },
    });
    const caption = t.event();
    await t.useCase.execute(caption, t.ctx.for(caption));

    expect((t.blobs as ScriptedBlobStore).mostFramesAtOnce).toBeGreaterThan(1);
    const announced = t.progress.of(Topic.VideoProgress).flatMap((e) => e.payload.frames);
    expect(announced.map((f) => f.index)).toEqual([0, 1, 2, 3]);
    const framesReady = t.progress.of(Topic.VideoProgress).map((e) => e.payload.framesReady);
    expect(framesReady).toEqual([...framesReady].sort((a, b) => a - b));
    expect(t.outbox.of(Topic.VideoGenerated)[0].payload.frames.map((f) => f.index)).toEqual([0, 1, 2, 3]);
  });

  it('with one frame in flight stores them one after another', async () => {
    const t = await setup(new ScriptedGenerator(), WEBP_85, { framesInFlight: 1, blobScript: {} });
    const caption = t.event();
    await t.useCase.execute(caption, t.ctx.for(caption));

    expect((t.blobs as ScriptedBlobStore).mostFramesAtOnce).toBe(1);
    expect(t.outbox.of(Topic.VideoGenerated)[0].payload.frames).toHaveLength(FRAMES);
  });

  it('fails the generation, announcing no video, when a frame in flight cannot be stored', async () => {
    const t = await setup(new ScriptedGenerator(), WEBP_85, {
      framesInFlight: 3,
      blobScript: { failIndex: 2 },
    });
    const caption = t.event();
    await expect(t.useCase.execute(caption, t.ctx.for(caption))).rejects.toThrow(/disk full writing frame 2/);

    expect(t.outbox.of(Topic.VideoGenerated)).toHaveLength(0);
    const announced = t.progress.of(Topic.VideoProgress).flatMap((e) => e.payload.frames);
    expect(announced.every((f) => f.index < 2)).toBe(true);
  });

  it('does not generate an edit it learned is cancelled, and handles the event for good', async () => {
    const generator = new ScriptedGenerator();
    const t = await setup(generator);
    const caption = t.event();
    await t.cancelled.record(undefined, { editId: t.editId, tenantId: t.tenantId, cancelledAt: new Date() });
    await t.useCase.execute(caption, t.ctx.for(caption));
    expect(generator.calls).toBe(0);
    expect(t.outbox.events).toHaveLength(0);
    expect(t.progress.events).toHaveLength(0);
    expect(t.ctx.handled.has(caption.eventId)).toBe(true);
  });

  it("does not take another tenant's cancellation of the same edit id for this edit's", async () => {
    const generator = new ScriptedGenerator();
    const t = await setup(generator);
    const caption = t.event();
    await t.cancelled.record(undefined, {
      editId: t.editId,
      tenantId: 'someone-else',
      cancelledAt: new Date(),
    });
    await t.useCase.execute(caption, t.ctx.for(caption));
    expect(generator.calls).toBe(1);
    expect(t.outbox.of(Topic.VideoGenerated)).toHaveLength(1);
  });

  it('fails as Unavailable, announcing no video, when the generator sends fewer frames than asked', async () => {
    const t = await setup(new ScriptedGenerator({ frames: FRAMES - 1 }));
    const caption = t.event();
    const failure = t.useCase.execute(caption, t.ctx.for(caption));
    await expect(failure).rejects.toBeInstanceOf(DomainError);
    await expect(failure).rejects.toMatchObject({ code: ErrorCode.Unavailable });
    expect(t.outbox.events).toHaveLength(0);
    expect(t.ctx.handled.has(caption.eventId)).toBe(false);
  });

  it('does nothing for a redelivered event it has handled', async () => {
    const generator = new ScriptedGenerator();
    const t = await setup(generator);
    const caption = t.event();
    await t.useCase.execute(caption, t.ctx.for(caption));
    await t.useCase.execute(caption, t.ctx.for(caption));
    expect(generator.calls).toBe(1);
    expect(t.outbox.of(Topic.VideoGenerated)).toHaveLength(1);
  });
});
