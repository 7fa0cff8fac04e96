import { type FrameEncoding, PNG_FRAMES } from '@f2f/imaging';
import sharp from 'sharp';

import { photoLike, previewPath, randomSequence } from '../content';
import { sampleFrame, ssimOf } from '../measure';

const WEBP: FrameEncoding = { format: 'webp', quality: 85 };

describe('frame samples', () => {
  it('photo-like images are deterministic per seed, and compress like photographs (PNG ≥ 1 byte per pixel)', async () => {
    const [a, b, c] = await Promise.all([photoLike(96, 64, 1), photoLike(96, 64, 1), photoLike(96, 64, 2)]);
    expect(a.equals(b)).toBe(true);
    expect(a.equals(c)).toBe(false);
    expect(a.length).toBeGreaterThan(96 * 64);
    expect(randomSequence(5)()).toBe(randomSequence(5)());
  });

  it('renders a path whose first frame is the source and whose frames drift, at every output size asked for', async () => {
    const source = await photoLike(96, 64, 3);
    const frames = await previewPath(source, 3, [
      { width: 96, height: 64 },
      { width: 48, height: 48 },
    ]);
    expect(frames.map((f) => f.index)).toEqual([0, 1, 2]);
    expect(await sharp(frames[0].raw).metadata()).toMatchObject({ width: 720, height: 480 });
    expect(await sharp(frames[2].edited[1]).metadata()).toMatchObject({ width: 48, height: 48 });
    expect(await ssimOf(source, frames[0].edited[0])).toBeGreaterThan(0.9);
    expect(await ssimOf(frames[0].edited[0], frames[2].edited[0])).toBeLessThan(0.9);
  });

  it('scores PNG as itself and a lossy encoding below 1 but close, with fewer bytes', async () => {
    const png = await photoLike(128, 96, 4);
    const lossless = await sampleFrame(png, PNG_FRAMES);
    expect(lossless).toMatchObject({ pngBytes: png.length, ssim: 1 });
    const webp = await sampleFrame(png, WEBP);
    expect(webp.bytes).toBeLessThan(png.length / 4);
    expect(webp.ssim).toBeGreaterThan(0.95);
    expect(webp.ssim).toBeLessThan(1);
    expect(webp.encodeMs).toBeGreaterThan(0);
  });

  it('refuses to compare images of different sizes', async () => {
    await expect(ssimOf(await photoLike(32, 32, 1), await photoLike(32, 16, 1))).rejects.toThrow(
      'SSIM of 32×32',
    );
  });
});
