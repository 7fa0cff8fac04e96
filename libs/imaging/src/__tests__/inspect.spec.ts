import { randomBytes } from 'node:crypto';
import path from 'node:path';

import { DomainError, ErrorCode } from '@f2f/common';
import { Piscina } from 'piscina';
import sharp from 'sharp';

import { makeImage, makePixelBombPng } from '../../../../test/support/factories';
import {
  billionLaughsSvg,
  jpegClaiming,
  webpLosslessClaiming,
  withBadIdatCrc,
  zeroPng,
} from '../../../../test/support/hostile-images';
import { DEFAULT_IMAGE_LIMITS, ImageInspector, type ImageLimits } from '..';

// The built worker (tests run the sources): `npx nx run @f2f/imaging:build` first.
const WORKER = path.resolve(__dirname, '../../dist/inspect.worker.js');
const SETTINGS = { threads: 1, timeoutMs: 10_000, maxHeapMb: 64 };

describe('ImageInspector', () => {
  let inspector: ImageInspector;
  let png: Buffer;
  const inspectImage = (data: Buffer, limits: ImageLimits = DEFAULT_IMAGE_LIMITS) =>
    inspector.inspect(data, limits);

  async function expectRefused(data: Buffer, code: ErrorCode, limits?: ImageLimits): Promise<DomainError> {
    const error = await inspectImage(data, limits).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe(code);
    return error as DomainError;
  }

  beforeAll(async () => {
    inspector = new ImageInspector(SETTINGS, WORKER);
    png = await makeImage(320, 240, 'png');
  });

  afterAll(() => inspector.close());

  afterEach(() => jest.restoreAllMocks());

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

  it('refuses random bytes and an empty buffer', async () => {
    await expectRefused(randomBytes(4096), ErrorCode.InvalidImage);
    await expectRefused(Buffer.alloc(0), ErrorCode.InvalidImage);
  });

  it.each(['png', 'jpeg'] as const)('refuses a truncated %s whose header is intact', async (format) => {
    const data = await makeImage(320, 240, format);
    const half = data.subarray(0, Math.floor(data.length / 2));
    // The header alone still reads: the refusal must come from decoding the pixels.
    await expect(sharp(half).metadata()).resolves.toMatchObject({ format, width: 320, height: 240 });
    await expectRefused(half, ErrorCode.InvalidImage);
  });

  it('refuses a truncated WebP', async () => {
    const webp = await sharp(png).webp().toBuffer();
    await expectRefused(webp.subarray(0, Math.floor(webp.length * 0.7)), ErrorCode.InvalidImage);
  });

  it('refuses a PNG with a bad CRC, which a lenient decode (failOn truncated) lets through', async () => {
    const bad = withBadIdatCrc(png);
    await expect(sharp(bad, { failOn: 'truncated' }).raw().toBuffer()).resolves.toBeInstanceOf(Buffer);
    // The stages decode with sharp's default strictness, which refuses it: so must the edge.
    await expect(sharp(bad).raw().toBuffer()).rejects.toThrow();
    const error = await expectRefused(bad, ErrorCode.InvalidImage);
    expect(error.message).toMatch(/cannot be decoded/);
  });

  it('refuses a JPEG whose entropy-coded data is corrupt', async () => {
    const jpeg = await makeImage(320, 240, 'jpeg');
    const bad = Buffer.from(jpeg);
    // Overwrite the middle of the scan with marker bytes: a corrupt JPEG libjpeg warns about.
    bad.fill(0xff, Math.floor(jpeg.length / 2), Math.floor(jpeg.length / 2) + 64);
    await expectRefused(bad, ErrorCode.InvalidImage);
  });

  it('refuses a GIF from its magic bytes, before any decoder', async () => {
    const run = jest.spyOn(Piscina.prototype, 'run');
    const gif = await sharp(png).gif().toBuffer();
    const error = await expectRefused(gif, ErrorCode.InvalidImage);
    expect(error.message).toMatch(/not a PNG, JPEG or WebP/);
    expect(run).not.toHaveBeenCalled();
  });

  it('refuses an SVG with nested entities (billion laughs) at once, without decoding it', async () => {
    const run = jest.spyOn(Piscina.prototype, 'run');
    const svg = billionLaughsSvg();
    expect(svg.length).toBeLessThan(1024);
    const started = performance.now();
    const error = await expectRefused(svg, ErrorCode.InvalidImage);
    expect(performance.now() - started).toBeLessThan(50);
    expect(error.details).toEqual({ reason: 'format' });
    expect(run).not.toHaveBeenCalled();
  });

  it('refuses polyglots: a PNG signature over an SVG, a JPEG signature over a PNG', async () => {
    const svgBehindPng = Buffer.concat([png.subarray(0, 8), billionLaughsSvg()]);
    await expectRefused(svgBehindPng, ErrorCode.InvalidImage);
    const pngBehindJpeg = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff]), png]);
    await expectRefused(pngBehindJpeg, ErrorCode.InvalidImage);
  });

  it('refuses TIFF, HEIF/AVIF and PDF from their magic bytes', async () => {
    const tiff = await sharp(png).tiff().toBuffer();
    const avif = await sharp(png).avif().toBuffer();
    const pdf = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n');
    for (const data of [tiff, avif, pdf]) await expectRefused(data, ErrorCode.InvalidImage);
  });

  it.each<[string, () => Promise<Buffer>]>([
    ['PNG', async () => makePixelBombPng(50_000, 50_000)],
    ['JPEG', async () => jpegClaiming(await makeImage(64, 64, 'jpeg'), 60_000, 60_000)],
    [
      'WebP',
      async () => webpLosslessClaiming(await sharp(png).webp({ lossless: true }).toBuffer(), 16_000, 16_000),
    ],
  ])('refuses a %s whose header claims more pixels than the limit, from the header', async (_, make) => {
    const data = await make();
    const error = await expectRefused(data, ErrorCode.ImageTooLarge);
    expect(error.details).toMatchObject({ maxPixels: DEFAULT_IMAGE_LIMITS.maxPixels });
  });

  it('refuses a real decompression bomb: a valid PNG within the byte limit but over the pixel limit', async () => {
    const bomb = zeroPng(6000, 6000); // 36 Mpx of zeros in ~40 KB
    expect(bomb.length).toBeLessThan(100_000);
    const limits = { ...DEFAULT_IMAGE_LIMITS, maxPixels: 16_000_000 };
    const error = await expectRefused(bomb, ErrorCode.ImageTooLarge, limits);
    expect(error.details).toEqual({ width: 6000, height: 6000, maxPixels: 16_000_000 });
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
    // Random bytes would be InvalidImage if they were looked at: ImageTooLarge shows the size comes first.
    const error = await expectRefused(randomBytes(1001), ErrorCode.ImageTooLarge, limits);
    expect(error.details).toEqual({ bytes: 1001, maxBytes: 1000 });
    await expectRefused(randomBytes(1000), ErrorCode.InvalidImage, limits);
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

  describe('off the event loop, with a time limit', () => {
    let big: Buffer;

    beforeAll(async () => {
      // Noise compresses badly: a decode of a few hundred milliseconds.
      big = await sharp(randomBytes(2400 * 2400 * 3), { raw: { width: 2400, height: 2400, channels: 3 } })
        .png({ compressionLevel: 1 })
        .toBuffer();
    });

    it('keeps the event loop turning while an image decodes', async () => {
      let ticks = 0;
      const timer = setInterval(() => ticks++, 5);
      const started = performance.now();
      try {
        await expect(inspectImage(big)).resolves.toMatchObject({ width: 2400, height: 2400 });
      } finally {
        clearInterval(timer);
      }
      const elapsed = performance.now() - started;
      // A blocked loop would tick at most once or twice; a free one about every 5 ms (far fewer on
      // a loaded machine, so only "more than a blocked loop" is asserted).
      expect(elapsed).toBeGreaterThan(25);
      expect(ticks).toBeGreaterThanOrEqual(3);
    });

    it('refuses an image that takes longer than the limit, and answers the next one', async () => {
      const hasty = new ImageInspector({ ...SETTINGS, timeoutMs: 20 }, WORKER);
      try {
        let ticks = 0;
        const timer = setInterval(() => ticks++, 1);
        const started = performance.now();
        const error = await hasty.inspect(big, DEFAULT_IMAGE_LIMITS).then(
          () => undefined,
          (e: unknown) => e as DomainError,
        );
        clearInterval(timer);
        expect(error).toBeInstanceOf(DomainError);
        expect(error).toMatchObject({
          code: ErrorCode.InvalidImage,
          details: { reason: 'timeout', timeoutMs: 20 },
        });
        expect(performance.now() - started).toBeLessThan(1000);
        expect(ticks).toBeGreaterThan(0);
        // The terminated thread was replaced: a small image still gets an answer.
        const small = await makeImage(64, 64);
        const patient = new ImageInspector(SETTINGS, WORKER);
        await expect(patient.inspect(small, DEFAULT_IMAGE_LIMITS)).resolves.toMatchObject({ width: 64 });
        await patient.close();
      } finally {
        await hasty.close();
      }
    });

    it('keeps answering after a time-out in the same pool', async () => {
      const pool = new ImageInspector({ ...SETTINGS, timeoutMs: 20 }, WORKER);
      try {
        await expect(pool.inspect(big, DEFAULT_IMAGE_LIMITS)).rejects.toMatchObject({
          details: { reason: 'timeout' },
        });
        // A fresh thread replaces the terminated one (starting it takes longer than 20 ms, and a
        // request queued meanwhile times out without killing it); then a 16x16 image gets through.
        const tiny = await makeImage(16, 16);
        let answered = false;
        for (const deadline = Date.now() + 15_000; !answered && Date.now() < deadline;) {
          answered = await pool.inspect(tiny, DEFAULT_IMAGE_LIMITS).then(
            () => true,
            () => false,
          );
          if (!answered) await new Promise((resolve) => setTimeout(resolve, 100));
        }
        expect(answered).toBe(true);
      } finally {
        await pool.close();
      }
    });
  });
});
