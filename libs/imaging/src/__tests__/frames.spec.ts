import sharp from 'sharp';

import { makeImage } from '../../../../test/support/factories';
import { decodeRgba, letterbox, VIDEO_HEIGHT, VIDEO_WIDTH } from '..';

interface Raw {
  data: Buffer;
  width: number;
  height: number;
  channels: number;
}

async function raw(image: Buffer): Promise<Raw> {
  const { data, info } = await sharp(image).raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, channels: info.channels };
}

const isBlack = (img: Raw, x: number, y: number) => {
  const i = (y * img.width + x) * img.channels;
  return img.data[i] === 0 && img.data[i + 1] === 0 && img.data[i + 2] === 0;
};

/** Whether every pixel in the rectangle [x0, x1) × [y0, y1) is pure black. */
function allBlack(img: Raw, x0: number, x1: number, y0: number, y1: number): boolean {
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) if (!isBlack(img, x, y)) return false;
  return true;
}

/** The bounding box of the pixels that are not pure black. */
function contentBox(img: Raw): { left: number; top: number; width: number; height: number } {
  let left = img.width;
  let top = img.height;
  let right = -1;
  let bottom = -1;
  for (let y = 0; y < img.height; y++) {
    for (let x = 0; x < img.width; x++) {
      if (isBlack(img, x, y)) continue;
      if (x < left) left = x;
      if (x > right) right = x;
      if (y < top) top = y;
      if (y > bottom) bottom = y;
    }
  }
  return { left, top, width: right - left + 1, height: bottom - top + 1 };
}

describe('letterbox', () => {
  it('outputs a 720×480 RGB PNG by default', async () => {
    const out = await letterbox(await makeImage(320, 240));
    const meta = await sharp(out).metadata();
    expect([meta.format, meta.width, meta.height, meta.channels]).toEqual([
      'png',
      VIDEO_WIDTH,
      VIDEO_HEIGHT,
      3,
    ]);
    expect([VIDEO_WIDTH, VIDEO_HEIGHT]).toEqual([720, 480]);
  });

  it('pads a square source with 120-px black bars left and right, and keeps the source in between', async () => {
    const source = await makeImage(300, 300);
    const out = await raw(await letterbox(source, 720, 480));
    expect([out.width, out.height]).toEqual([720, 480]);

    expect(allBlack(out, 0, 120, 0, 480)).toBe(true);
    expect(allBlack(out, 600, 720, 0, 480)).toBe(true);
    // The bars are exactly 120 px wide: the columns next to them hold the image.
    for (const x of [120, 599]) {
      const column = Array.from({ length: 480 }, (_, y) => isBlack(out, x, y));
      expect(column.filter(Boolean)).toHaveLength(0);
    }

    const expected = await raw(await sharp(source).removeAlpha().resize(480, 480).png().toBuffer());
    let sum = 0;
    for (let y = 0; y < 480; y++) {
      for (let x = 0; x < 480; x++) {
        for (let c = 0; c < 3; c++) {
          const d =
            out.data[(y * 720 + x + 120) * out.channels + c] -
            expected.data[(y * 480 + x) * expected.channels + c];
          sum += d < 0 ? -d : d;
        }
      }
    }
    expect(sum / (480 * 480 * 3)).toBeLessThan(2);
  });

  it.each([
    ['a wide 1440×480 source', 1440, 480, { left: 0, top: 120, width: 720, height: 240 }],
    ['a square 300×300 source', 300, 300, { left: 120, top: 0, width: 480, height: 480 }],
    ['a tall 240×480 source', 240, 480, { left: 240, top: 0, width: 240, height: 480 }],
    ['a small 3:2 source', 90, 60, { left: 0, top: 0, width: 720, height: 480 }],
  ])('fits %s without stretching it', async (_name, width, height, box) => {
    const out = await raw(await letterbox(await makeImage(width, height)));
    expect([out.width, out.height]).toEqual([720, 480]);
    const content = contentBox(out);
    expect(content).toEqual(box);
    expect(content.width / content.height).toBeCloseTo(width / height, 2);
  });

  it('leaves black bars of 120 px top and bottom around a wide source', async () => {
    const out = await raw(await letterbox(await makeImage(1440, 480)));
    expect(allBlack(out, 0, 720, 0, 120)).toBe(true);
    expect(allBlack(out, 0, 720, 360, 480)).toBe(true);
  });

  it('applies EXIF orientation before fitting', async () => {
    // Stored 320×240, displayed 240×320 (orientation 6: rotate 90° clockwise).
    const rotated = await sharp(await makeImage(320, 240, 'jpeg'))
      .withMetadata({ orientation: 6 })
      .jpeg()
      .toBuffer();
    const out = await raw(await letterbox(rotated));
    expect(contentBox(out)).toEqual({ left: 180, top: 0, width: 360, height: 480 });
  });

  it('honours another output size', async () => {
    const meta = await sharp(await letterbox(await makeImage(320, 240), 64, 128)).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['png', 64, 128]);
  });
});

describe('decodeRgba', () => {
  it('decodes to RGBA at the image size, opaque where the image has no alpha', async () => {
    const image = await makeImage(96, 64);
    const decoded = await decodeRgba(await letterbox(image, 96, 64));
    expect([decoded.width, decoded.height, decoded.channels]).toEqual([96, 64, 4]);
    expect(decoded.data).toHaveLength(96 * 64 * 4);
    for (let i = 3; i < decoded.data.length; i += 4)
      if (decoded.data[i] !== 255) throw new Error(`alpha at ${i}`);
  });

  it('resizes to the given size, filling it', async () => {
    const decoded = await decodeRgba(await makeImage(320, 240), 100, 100);
    expect([decoded.width, decoded.height, decoded.channels]).toEqual([100, 100, 4]);
    expect(decoded.data).toHaveLength(100 * 100 * 4);
  });
});
