import sharp from 'sharp';

import { makeImage } from '../../../../test/support/factories';
import { contentBox, cropToSource, decodeRgba, prepareSource, VIDEO_HEIGHT, VIDEO_WIDTH } from '..';

/** Mean absolute difference per channel value between two images of the same size (0..255). */
async function meanAbsDiff(a: Buffer, b: Buffer): Promise<number> {
  const [x, y] = await Promise.all([decodeRgba(a), decodeRgba(b)]);
  expect([x.width, x.height]).toEqual([y.width, y.height]);
  let sum = 0;
  for (let i = 0; i < x.data.length; i += 4) {
    for (let c = 0; c < 3; c++) sum += Math.abs(x.data[i + c] - y.data[i + c]);
  }
  return sum / ((x.data.length / 4) * 3);
}

describe('pre- and post-processing (paper 5.1)', () => {
  it('places a square source at 480×480 with 120 px of black on each side', () => {
    expect(contentBox(1024, 1024)).toEqual({ left: 120, top: 0, width: 480, height: 480 });
    expect(contentBox(512, 512)).toEqual({ left: 120, top: 0, width: 480, height: 480 });
  });

  it.each([
    ['3:2 landscape', 900, 600, { left: 0, top: 0, width: 720, height: 480 }],
    ['portrait', 300, 600, { left: 240, top: 0, width: 240, height: 480 }],
    ['wide panorama', 1600, 400, { left: 0, top: 150, width: 720, height: 180 }],
    ['4:3', 640, 480, { left: 40, top: 0, width: 640, height: 480 }],
  ])('letterboxes a %s source without stretching it', (_name, w, h, box) => {
    const got = contentBox(w, h);
    expect(got).toEqual(box);
    expect(Math.abs(got.width / got.height - w / h)).toBeLessThan(0.01);
  });

  it.each([
    ['square', 512, 512],
    ['portrait', 300, 450],
    ['landscape', 640, 360],
    ['wide', 1000, 300],
  ])('crops frame 0 of a %s source back to the source within tolerance', async (_name, w, h) => {
    const source = await makeImage(w, h);
    const { png, box } = await prepareSource(source);
    const meta = await sharp(png).metadata();
    expect([meta.width, meta.height]).toEqual([VIDEO_WIDTH, VIDEO_HEIGHT]);
    const back = await cropToSource(png, box, w, h);
    const backMeta = await sharp(back).metadata();
    expect([backMeta.width, backMeta.height]).toEqual([w, h]);
    // Down- and up-sampling blurs edges a little; a misplaced crop or padding would differ by far more.
    expect(await meanAbsDiff(back, source)).toBeLessThan(6);
  });

  it('resizes the crop to a requested output size (512×512 in the benchmarks)', async () => {
    const { png, box } = await prepareSource(await makeImage(480, 480));
    const out = await cropToSource(png, box, 512, 512);
    expect(await sharp(out).metadata()).toMatchObject({ width: 512, height: 512 });
  });

  it('letterboxes instead of stretching when the output aspect differs from the source', async () => {
    const { png, box } = await prepareSource(await makeImage(400, 200));
    const out = await decodeRgba(await cropToSource(png, box, 200, 200));
    // A 2:1 source in a square: black rows above and below, content in the middle.
    const pixel = (x: number, y: number) => out.data.subarray((y * 200 + x) * 4, (y * 200 + x) * 4 + 3);
    expect([...pixel(100, 5)]).toEqual([0, 0, 0]);
    expect([...pixel(100, 194)]).toEqual([0, 0, 0]);
    expect(Math.max(...pixel(100, 100))).toBeGreaterThan(20);
  });
});
