import path from 'node:path';

import { decodeRgba } from '@f2f/imaging';
import sharp from 'sharp';

import { type FrameTask, InProcessFrameWork, shareImage, ThreadedFrameWork } from '../frame-work';
import { toSsimImage } from '../pixel-metrics';

/** The built worker (npm test builds before the tests run). */
const WORKER = path.resolve(__dirname, '../../../dist/measurement/frame-work.worker.js');

const frame = (i: number) =>
  sharp({
    create: {
      width: 120,
      height: 90,
      channels: 3,
      background: { r: 20 * i, g: 120, b: 200 - 10 * i },
      noise: { type: 'gaussian', mean: 128, sigma: 25 },
    },
  })
    .png()
    .toBuffer();

describe('frame work in worker threads', () => {
  const threaded = new ThreadedFrameWork(2, WORKER);
  afterAll(() => threaded.close());

  it('measures exactly what the main thread does (preprocessed tensors, SSIM, PSNR), for two sources in turn', async () => {
    const inProcess = new InProcessFrameWork();
    for (const [key, seed] of [
      ['edit-a', 0],
      ['edit-b', 7],
    ] as const) {
      const source = await decodeRgba(await frame(seed));
      const reference = { key, pixels: shareImage(source), small: shareImage(toSsimImage(source)) };
      const tasks: FrameTask[] = await Promise.all(
        [1, 2, 3, 4].map(async (i) => ({
          image: await frame(seed + i),
          width: 120,
          height: 90,
          lpipsSize: 32,
          reference,
        })),
      );
      const [a, b] = await Promise.all([
        Promise.all(tasks.map((t) => threaded.run(t))),
        Promise.all(tasks.map((t) => inProcess.run(t))),
      ]);
      expect(a.map((r) => [r.ssim, r.psnr])).toEqual(b.map((r) => [r.ssim, r.psnr]));
      expect(a.map((r) => Array.from(r.prepared!.clip))).toEqual(b.map((r) => Array.from(r.prepared!.clip)));
      expect(a.map((r) => Array.from(r.prepared!.lpips))).toEqual(
        b.map((r) => Array.from(r.prepared!.lpips)),
      );
      expect(a[0].prepared!.lpips).toHaveLength(3 * 32 * 32);
      // Frames differ from their source: the SSIM reference is the edit's own, not a stale one.
      expect(new Set(a.map((r) => r.ssim)).size).toBe(4);
    }
  });

  it('prepares nothing without learned metrics, and rejects an undecodable frame', async () => {
    const source = await decodeRgba(await frame(1));
    const reference = {
      key: 'edit-c',
      pixels: shareImage(source),
      small: shareImage(toSsimImage(source)),
    };
    const result = await threaded.run({
      image: await frame(2),
      width: 120,
      height: 90,
      lpipsSize: null,
      reference,
    });
    expect(result.prepared).toBeNull();
    expect(result.psnr).toBeGreaterThan(0);
    await expect(
      threaded.run({ image: Buffer.from('not a png'), width: 120, height: 90, lpipsSize: null, reference }),
    ).rejects.toThrow();
  });
});
