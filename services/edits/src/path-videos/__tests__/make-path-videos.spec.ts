import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

import type { Logger } from '@f2f/common';
import { FilesystemBlobStore } from '@f2f/storage';
import sharp from 'sharp';

import type { PathVideo } from '../../database';
import { FfmpegEncoder, type VideoEncoder } from '../ffmpeg-encoder';
import { MakePathVideosUseCase, pathVideoKey } from '../make-path-videos.use-case';
import { PathVideoWorker } from '../path-video.worker';
import type { PathVideoSource, PathVideosRepository } from '../path-videos.repository';

/** The repository swapped for rows in memory (the Prisma one runs in the browser test's platform). */
class InMemoryPathVideos implements Pick<PathVideosRepository, keyof PathVideosRepository> {
  videos: Omit<PathVideo, 'createdAt'>[] = [];
  constructor(
    private readonly edit: PathVideoSource & { tenantId: string; id: string },
    public frames: Map<number, string[]>,
  ) {}
  async find(tenantId: string, editId: string, candidate: number) {
    const v = this.videos.find(
      (x) => x.tenantId === tenantId && x.editId === editId && x.candidate === candidate,
    );
    return v ? { ...v, createdAt: new Date() } : null;
  }
  async source(tenantId: string, editId: string) {
    return tenantId === this.edit.tenantId && editId === this.edit.id ? this.edit : null;
  }
  async frameKeys(tenantId: string, editId: string, candidate: number) {
    return tenantId === this.edit.tenantId && editId === this.edit.id
      ? (this.frames.get(candidate) ?? [])
      : [];
  }
  async record(video: Omit<PathVideo, 'createdAt'>) {
    if (!(await this.find(video.tenantId, video.editId, video.candidate))) this.videos.push(video);
  }
}

const EDIT = '11111111-1111-4111-8111-111111111111';
let dir: string;
let blobs: FilesystemBlobStore;

/** Stores `count` frames (a bar moving right, 33×20: odd sides, as edited frames may have). */
async function storeFrames(candidate: number, count: number): Promise<string[]> {
  const keys: string[] = [];
  for (let i = 0; i < count; i++) {
    const png = await sharp({ create: { width: 33, height: 20, channels: 3, background: '#204080' } })
      .composite([
        {
          input: { create: { width: 4, height: 20, channels: 3, background: '#f0c040' } },
          left: i % 30,
          top: 0,
        },
      ])
      .png()
      .toBuffer();
    const key = `tenants/acme/edits/${EDIT}/frames/${candidate}-${i}.png`;
    await blobs.put(key, png);
    keys.push(key);
  }
  return keys;
}

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'f2f-path-video-spec-'));
  blobs = new FilesystemBlobStore(dir);
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const countingEncoder = (inner: VideoEncoder) => {
  const calls: number[] = [];
  return {
    calls,
    encoder: {
      encodeMp4: (frames: readonly Buffer[], fps: number) => (
        calls.push(frames.length),
        inner.encodeMp4(frames, fps)
      ),
    },
  };
};

describe('MakePathVideosUseCase (ffmpeg)', () => {
  it("encodes a candidate's frames at the edit's fps into an H.264 MP4, once", async () => {
    const repo = new InMemoryPathVideos(
      { tenantId: 'acme', id: EDIT, fps: 8, frameCount: 12, candidates: 1 },
      new Map([[0, await storeFrames(0, 12)]]),
    );
    const { calls, encoder } = countingEncoder(new FfmpegEncoder());
    const useCase = new MakePathVideosUseCase(repo as unknown as PathVideosRepository, blobs, encoder);

    expect(await useCase.execute('acme', EDIT)).toEqual([0]);
    expect(await useCase.execute('acme', EDIT)).toEqual([]);
    expect(calls).toEqual([12]);

    const [video] = repo.videos;
    expect(video).toMatchObject({ tenantId: 'acme', editId: EDIT, candidate: 0, frameCount: 12, fps: 8 });
    expect(video.blobKey).toBe(`tenants/acme/edits/${EDIT}/frames/path-0.mp4`);
    const file = path.join(dir, 'probe.mp4');
    await blobs.put('probe.mp4', await blobs.get(video.blobKey));
    const { stdout } = await promisify(execFile)('ffprobe', [
      ...['-v', 'error', '-select_streams', 'v:0', '-count_frames'],
      ...['-show_entries', 'stream=codec_name,nb_read_frames,r_frame_rate,width,height', '-of', 'json', file],
    ]);
    expect(JSON.parse(stdout).streams[0]).toEqual({
      codec_name: 'h264',
      width: 34,
      height: 20,
      r_frame_rate: '8/1',
      nb_read_frames: '12',
    });
    expect(video.bytes).toBe((await blobs.get(video.blobKey)).length);
  });

  it('encodes frames stored as WebP or AVIF (FRAME_FORMAT) as it does PNG', async () => {
    const pngs = await Promise.all((await storeFrames(0, 6)).map((k) => blobs.get(k)));
    const frames = await Promise.all(
      pngs.map((png, i) => (i % 2 ? sharp(png).webp({ quality: 85 }) : sharp(png).avif()).toBuffer()),
    );
    const file = path.join(dir, 'lossy.mp4');
    await blobs.put('lossy.mp4', await new FfmpegEncoder().encodeMp4(frames, 8));
    const { stdout } = await promisify(execFile)('ffprobe', [
      ...['-v', 'error', '-select_streams', 'v:0', '-count_frames'],
      ...['-show_entries', 'stream=codec_name,nb_read_frames,width,height', '-of', 'json', file],
    ]);
    expect(JSON.parse(stdout).streams[0]).toEqual({
      codec_name: 'h264',
      width: 34,
      height: 20,
      nb_read_frames: '6',
    });
  });

  it('leaves a candidate whose frames are not all stored yet, and an edit of another tenant', async () => {
    const repo = new InMemoryPathVideos(
      { tenantId: 'acme', id: EDIT, fps: 8, frameCount: 12, candidates: 2 },
      new Map([
        [0, await storeFrames(0, 12)],
        [1, await storeFrames(1, 5)],
      ]),
    );
    const encoder = { encodeMp4: jest.fn(async () => Buffer.from('mp4')) };
    const useCase = new MakePathVideosUseCase(repo as unknown as PathVideosRepository, blobs, encoder);
    expect(await useCase.execute('other', EDIT)).toEqual([]);
    expect(await useCase.execute('acme', EDIT)).toEqual([0]);
    repo.frames.set(1, await storeFrames(1, 12));
    expect(await useCase.execute('acme', EDIT)).toEqual([1]);
    expect(encoder.encodeMp4).toHaveBeenCalledTimes(2);
  });

  it('keeps the video beside the frames, under the tenant prefix', () => {
    expect(pathVideoKey('tenants/t/edits/e/frames/0-0.png', 3)).toBe('tenants/t/edits/e/frames/path-3.mp4');
  });
});

describe('PathVideoWorker', () => {
  const logger = { info: jest.fn(), warn: jest.fn() } as unknown as Logger;

  it('queues an edit once while it waits or runs, and goes on after a failure', async () => {
    const seen: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const useCase = {
      execute: jest.fn(async (_tenant: string, editId: string) => {
        seen.push(editId);
        if (editId === 'a') await gate;
        if (editId === 'b') throw new Error('disk full');
        return [0];
      }),
    };
    const worker = new PathVideoWorker(useCase as unknown as MakePathVideosUseCase, logger);
    worker.request('acme', 'a');
    worker.request('acme', 'a');
    worker.request('acme', 'b');
    worker.request('acme', 'c');
    worker.request('acme', 'b');
    release();
    await worker.idle();
    expect(seen).toEqual(['a', 'b', 'c']);
    expect(logger.warn).toHaveBeenCalledTimes(1);
    worker.request('acme', 'a');
    await worker.idle();
    expect(seen).toEqual(['a', 'b', 'c', 'a']);
  });
});
