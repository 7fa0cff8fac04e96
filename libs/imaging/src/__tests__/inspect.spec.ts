import { randomBytes } from 'node:crypto';

import { DomainError, ErrorCode } from '@f2f/common';
import sharp from 'sharp';

import { makeImage } from '../../../../test/support/factories';
import { DEFAULT_IMAGE_LIMITS, inspectImage, type ImageLimits } from '..';

async function expectRefused(data: Buffer, code: ErrorCode, limits?: ImageLimits): Promise<DomainError> {
  const error = await inspectImage(data, limits).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DomainError);
  expect((error as DomainError).code).toBe(code);
  return error as DomainError;
}

describe('inspectImage', () => {
  let png: Buffer;

  beforeAll(async () => {
    png = await makeImage(320, 240, 'png');
  });

  it.each<['png' | 'jpeg' | 'webp', string]>([
    ['png', 'image/png'],
    ['jpeg', 'image/jpeg'],
    ['webp', 'image/webp'],
  ])('accepts %s and reports its format, mime type and size', async (format, mime) => {
    const data = format === 'webp' ? await sharp(png).webp().toBuffer() : await makeImage(320, 240, format);
    await expect(inspectImage(data)).resolves.toEqual({
      format,
      mime,
      width: 320,
      height: 240,
      bytes: data.length,
    });
  });

  it('reports the dimensions of the image it is given', async () => {
    const data = await makeImage(97, 203, 'png');
    await expect(inspectImage(data)).resolves.toMatchObject({ width: 97, height: 203 });
  });

  it('refuses random bytes', async () => {
    await expectRefused(randomBytes(4096), ErrorCode.InvalidImage);
  });

  it('refuses an empty buffer', async () => {
    await expectRefused(Buffer.alloc(0), ErrorCode.InvalidImage);
  });

  it.each(['png', 'jpeg'] as const)('refuses a truncated %s whose header is intact', async (format) => {
    const data = await makeImage(320, 240, format);
    const half = data.subarray(0, Math.floor(data.length / 2));
    // The header alone still reads: the refusal must come from decoding the pixels.
    await expect(sharp(half).metadata()).resolves.toMatchObject({ format, width: 320, height: 240 });
    await expectRefused(half, ErrorCode.InvalidImage);
  });

  it('refuses a GIF, a format it does not support', async () => {
    const gif = await sharp(png).gif().toBuffer();
    expect((await sharp(gif).metadata()).format).toBe('gif');
    const error = await expectRefused(gif, ErrorCode.InvalidImage);
    expect(error.message).toMatch(/gif/);
  });

  it('refuses an SVG, a format it does not support', async () => {
    const svg = Buffer.from(
      '<svg xmlns="http://www.w3.org/2000/svg" width="320" height="240"><rect width="320" height="240" fill="#2da44e"/></svg>',
    );
    const error = await expectRefused(svg, ErrorCode.InvalidImage);
    expect(error.message).toMatch(/svg/);
  });

  it('refuses an image smaller than minSide on either side, and accepts one exactly at it', async () => {
    const minSide = DEFAULT_IMAGE_LIMITS.minSide;
    await expectRefused(await makeImage(minSide - 1, 200), ErrorCode.InvalidImage);
    await expectRefused(await makeImage(200, minSide - 1), ErrorCode.InvalidImage);
    await expect(inspectImage(await makeImage(minSide, 200))).resolves.toMatchObject({
      width: minSide,
      height: 200,
    });
    await expectRefused(png, ErrorCode.InvalidImage, { ...DEFAULT_IMAGE_LIMITS, minSide: 241 });
  });

  it('refuses data over maxBytes before looking at it', async () => {
    const limits = { ...DEFAULT_IMAGE_LIMITS, maxBytes: 1000 };
    // Random bytes would be InvalidImage if they were decoded: ImageTooLarge shows the size comes first.
    const error = await expectRefused(randomBytes(1001), ErrorCode.ImageTooLarge, limits);
    expect(error.details).toEqual({ bytes: 1001, maxBytes: 1000 });
    await expectRefused(randomBytes(1000), ErrorCode.InvalidImage, limits);
  });

  it('refuses a valid image over maxBytes', async () => {
    await expectRefused(png, ErrorCode.ImageTooLarge, { ...DEFAULT_IMAGE_LIMITS, maxBytes: png.length - 1 });
    await expect(inspectImage(png, { ...DEFAULT_IMAGE_LIMITS, maxBytes: png.length })).resolves.toMatchObject(
      {
        bytes: png.length,
      },
    );
  });

  it('refuses an image over maxPixels, and accepts one exactly at it', async () => {
    const pixels = 320 * 240;
    const error = await expectRefused(png, ErrorCode.ImageTooLarge, {
      ...DEFAULT_IMAGE_LIMITS,
      maxPixels: pixels - 1,
    });
    expect(error.details).toMatchObject({ width: 320, height: 240, maxPixels: pixels - 1 });
    await expect(inspectImage(png, { ...DEFAULT_IMAGE_LIMITS, maxPixels: pixels })).resolves.toMatchObject({
      width: 320,
      height: 240,
    });
  });

  it('reports the displayed size of a JPEG whose EXIF orientation rotates it', async () => {
    const rotated = await sharp(await makeImage(200, 100, 'jpeg'))
      .withMetadata({ orientation: 6 })
      .jpeg()
      .toBuffer();
    await expect(inspectImage(rotated)).resolves.toMatchObject({ width: 100, height: 200 });
  });
});
