import sharp from 'sharp';

import { buildCollage, collageFrameIndices } from '../collage';

const solid = (r: number, g: number, b: number, width = 320, height = 240) =>
  sharp({ create: { width, height, channels: 3, background: { r, g, b } } })
    .png()
    .toBuffer();

describe('the selection collage (paper 3.3, C.1)', () => {
  it('samples every fourth frame: 12 of 49, numbered 1..12 for frames 4..48', () => {
    expect(collageFrameIndices(49)).toEqual([4, 8, 12, 16, 20, 24, 28, 32, 36, 40, 44, 48]);
    expect(collageFrameIndices(9)).toEqual([4, 8]);
    expect(collageFrameIndices(100)).toHaveLength(12);
  });

  it('puts the source on top and the frames beneath, each with a number badge', async () => {
    const frames = await Promise.all(Array.from({ length: 12 }, (_, i) => solid(20 * i, 100, 200)));
    const collage = await buildCollage(await solid(250, 0, 0), frames);
    const { data, info } = await sharp(collage).raw().toBuffer({ resolveWithObject: true });
    expect(info.width).toBe(4 * 256 + 5 * 8);
    const at = (x: number, y: number) => [
      ...data.subarray((y * info.width + x) * info.channels, (y * info.width + x) * info.channels + 3),
    ];
    // The source (red) centred at the top.
    expect(at(Math.round(info.width / 2), 100)).toEqual([250, 0, 0]);
    // Frame tiles below: tile 1 at the first column, its badge black and white in the corner.
    const tileTop = 2 * 8 + 2 * 192 + 8;
    expect(at(8 + 200, tileTop + 150)).toEqual([0, 100, 200]);
    expect(at(8 + 4 + 1, tileTop + 4 + 1)).toEqual([0, 0, 0]);
    const badge = Array.from({ length: 30 }, (_, dy) =>
      Array.from({ length: 30 }, (_, dx) => at(8 + 4 + dx, tileTop + 4 + dy)),
    );
    expect(badge.flat().some((p) => p[0] === 255 && p[1] === 255 && p[2] === 255)).toBe(true);
    // Tile 12 sits in the last column of the third row, with the 12th frame's colour.
    expect(at(8 + 3 * 264 + 200, tileTop + 2 * 200 + 150)).toEqual([220, 100, 200]);
  });

  it('refuses an empty or oversized collage', async () => {
    await expect(buildCollage(await solid(0, 0, 0), [])).rejects.toThrow(/1..12/);
  });
});
