import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

import { sniffImageType } from '@f2f/imaging';
import sharp from 'sharp';

/** Encodes frames (PNG, WebP or AVIF: the storage format) into a video: the adapter the path-video worker swaps in tests. */
export interface VideoEncoder {
  encodeMp4(frames: readonly Buffer[], fps: number): Promise<Buffer>;
}

/**
 * H.264 MP4 through Debian's ffmpeg (libx264, yuv420p so that every player plays it, sides padded to
 * even numbers as yuv420p needs, faststart so that a browser can play it while it downloads).
 */
export class FfmpegEncoder implements VideoEncoder {
  constructor(
    private readonly binary = 'ffmpeg',
    private readonly timeoutMs = 120_000,
  ) {}

  async encodeMp4(frames: readonly Buffer[], fps: number): Promise<Buffer> {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'f2f-path-video-'));
    try {
      await Promise.all(
        frames.map(async (data, i) =>
          writeFile(path.join(dir, `frame-${String(i).padStart(4, '0')}.png`), await asPng(data)),
        ),
      );
      const out = path.join(dir, 'path.mp4');
      await promisify(execFile)(
        this.binary,
        [
          ...['-hide_banner', '-loglevel', 'error', '-y', '-framerate', String(fps)],
          ...['-i', path.join(dir, 'frame-%04d.png')],
          ...['-vf', 'pad=ceil(iw/2)*2:ceil(ih/2)*2', '-c:v', 'libx264', '-pix_fmt', 'yuv420p'],
          ...['-r', String(fps), '-movflags', '+faststart', out],
        ],
        { timeout: this.timeoutMs },
      );
      return await readFile(out);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
}

/** The frame as PNG, which ffmpeg's image sequence reads (frames stored lossy are decoded here). */
async function asPng(frame: Buffer): Promise<Buffer> {
  if (sniffImageType(frame.subarray(0, 12)) === 'image/png') return frame;
  return sharp(frame).png({ compressionLevel: 1 }).toBuffer();
}
