import { decodeRgba, type RawImage } from '../frames';
import { ssim as ssimJs } from 'ssim.js';

import { makeImage } from '../../../../test/support/factories';
import { meanSsim, psnr, PSNR_CEILING_DB, SsimReference, ssimScale, toSsimImage } from '../pixel-metrics';

/** Deterministic pseudo-random numbers in [0, 1) (mulberry32), so noise is the same on every run. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function image(width: number, height: number, pixel: (x: number, y: number, c: number) => number): RawImage {
  const data = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < 4; c++) data[(y * width + x) * 4 + c] = pixel(x, y, c);
    }
  }
  return { data, width, height, channels: 4 };
}

/** Applies f to every RGB value; alpha is copied unless `alpha` is given. */
function mapRgb(img: RawImage, f: (v: number, i: number) => number, alpha?: (i: number) => number): RawImage {
  const data = Buffer.from(img.data);
  for (let i = 0; i < data.length; i++) {
    if (i % 4 === 3) data[i] = alpha ? alpha(i) : img.data[i];
    else data[i] = f(img.data[i], i);
  }
  return { ...img, data };
}

describe('psnr', () => {
  // Values within 50..205, so that a difference of up to ±50 never clips.
  const base = () => {
    const rnd = random(1);
    return image(64, 48, (_x, _y, c) => (c === 3 ? 255 : 50 + Math.floor(rnd() * 156)));
  };

  it('reports identical images at the ceiling', () => {
    const a = base();
    expect(psnr(a, a)).toBe(PSNR_CEILING_DB);
    expect(psnr(a, { ...a, data: Buffer.from(a.data) })).toBe(PSNR_CEILING_DB);
  });

  it.each([1, 5, 10, 50])(
    'matches 10·log10(255²/d²) for a uniform difference d = %i on every RGB value',
    (d) => {
      const a = base();
      const expected = 10 * Math.log10((255 * 255) / (d * d));
      expect(
        psnr(
          a,
          mapRgb(a, (v) => v + d),
        ),
      ).toBeCloseTo(expected, 10);
      // The sign of the difference must not matter, nor may differences of opposite sign cancel.
      expect(
        psnr(
          a,
          mapRgb(a, (v, i) => (i % 2 === 0 ? v + d : v - d)),
        ),
      ).toBeCloseTo(expected, 10);
      expect(
        psnr(
          mapRgb(a, (v) => v - d),
          a,
        ),
      ).toBeCloseTo(expected, 10);
    },
  );

  it('gives about 28.13 dB for a uniform difference of 10', () => {
    const a = base();
    expect(
      psnr(
        a,
        mapRgb(a, (v) => v + 10),
      ),
    ).toBeCloseTo(28.13, 2);
  });

  it('ignores alpha', () => {
    const a = base();
    const rnd = random(2);
    const otherAlpha = mapRgb(
      a,
      (v) => v,
      () => Math.floor(rnd() * 256),
    );
    expect(psnr(a, otherAlpha)).toBe(PSNR_CEILING_DB);
    const d = 10;
    expect(
      psnr(
        a,
        mapRgb(otherAlpha, (v) => v + d),
      ),
    ).toBeCloseTo(10 * Math.log10((255 * 255) / (d * d)), 10);
  });

  it('falls as the difference grows', () => {
    const a = base();
    const values = [2, 8, 32].map((d) =>
      psnr(
        a,
        mapRgb(a, (v, i) => (i % 2 ? v + d : v - d)),
      ),
    );
    expect(values).toEqual([...values].sort((x, y) => y - x));
  });
});

describe('meanSsim', () => {
  let source: RawImage;

  beforeAll(async () => {
    source = await decodeRgba(await makeImage(128, 96));
  });

  it('is 1 for identical images', () => {
    expect(meanSsim(source, source)).toBeCloseTo(1, 10);
    expect(meanSsim(source, { ...source, data: Buffer.from(source.data) })).toBeCloseTo(1, 10);
  });

  it('is much lower for an image and its inverse, and in between for a slightly noised one', () => {
    const inverted = mapRgb(source, (v) => 255 - v);
    const rnd = random(3);
    const noised = mapRgb(source, (v) => Math.max(0, Math.min(255, v + Math.round((rnd() - 0.5) * 24))));

    const sInverted = meanSsim(source, inverted);
    const sNoised = meanSsim(source, noised);
    expect(sInverted).toBeLessThan(0.5);
    expect(sNoised).toBeLessThan(1);
    expect(sNoised).toBeGreaterThan(0.5);
    expect(sNoised).toBeGreaterThan(sInverted);
    expect(meanSsim(noised, source)).toBeCloseTo(sNoised, 10);
  });

  it('falls as the noise grows', () => {
    const levels = [4, 16, 64].map((amplitude) => {
      const rnd = random(4);
      return meanSsim(
        source,
        mapRgb(source, (v) => Math.max(0, Math.min(255, v + Math.round((rnd() - 0.5) * amplitude)))),
      );
    });
    expect(levels).toEqual([...levels].sort((x, y) => y - x));
    expect(levels[0]).toBeGreaterThan(levels[2]);
  });
});

describe('SsimReference', () => {
  /** ssim.js' weber SSIM, the reference this implementation reproduces with cached source statistics. */
  const reference = (a: RawImage, b: RawImage, downsample: 'original' | false) =>
    ssimJs(
      { data: new Uint8ClampedArray(a.data), width: a.width, height: a.height },
      { data: new Uint8ClampedArray(b.data), width: b.width, height: b.height },
      { downsample, ssim: 'weber' },
    ).mssim;

  /** Smooth structure plus noise, like a generated frame. */
  const textured = (w: number, h: number, rnd: () => number) =>
    image(w, h, (x, y, c) =>
      c === 3
        ? 255
        : Math.round(127 + 100 * Math.sin((x + 2 * c) / 7) * Math.cos(y / 5) + (rnd() - 0.5) * 40),
    );

  it.each([
    [64, 48, 1],
    [11, 11, 2],
    [97, 130, 3],
    [256, 256, 4],
  ])(
    'matches ssim.js bit for bit on %ix%i images (seed %i), for every frame against one source',
    (w, h, seed) => {
      const rnd = random(seed);
      const source = textured(w, h, rnd);
      const ref = new SsimReference(toSsimImage(source));
      // Frames that drift away from the source, like a generated path.
      for (const amplitude of [0, 8, 60, 255]) {
        const frame = mapRgb(source, (v) =>
          Math.max(0, Math.min(255, v + Math.round((rnd() - 0.5) * amplitude))),
        );
        expect(ref.compare(toSsimImage(frame))).toBe(reference(source, frame, false));
      }
      const inverted = mapRgb(source, (v) => 255 - v);
      expect(ref.compare(toSsimImage(inverted))).toBe(reference(source, inverted, false));
    },
  );

  // With its defaults ssim.js first shrinks images by round(min side / 256) (its "original"
  // downsampling): odd sizes exercise its mirrored padding, 900×780 a factor of 3 and 1100×1030 of 4.
  it.each([
    [720, 480, 6, [6, 90]],
    [721, 481, 7, [30]],
    [900, 780, 8, [30]],
    [1100, 1030, 9, [30]],
  ])(
    'matches ssim.js with its default downsampling bit for bit on %ix%i images (seed %i)',
    (w, h, seed, amplitudes) => {
      const rnd = random(seed);
      const source = textured(w, h, rnd);
      const ref = new SsimReference(toSsimImage(source));
      for (const amplitude of amplitudes) {
        const frame = mapRgb(source, (v) =>
          Math.max(0, Math.min(255, v + Math.round((rnd() - 0.5) * amplitude))),
        );
        expect(ref.compare(toSsimImage(frame))).toBe(reference(source, frame, 'original'));
      }
    },
  );

  it('refuses images smaller than its 11x11 window, frames of another shape, and non-RGBA pixels', () => {
    expect(() => new SsimReference(toSsimImage(image(10, 40, () => 9)))).toThrow(/at least 11x11/);
    expect(() =>
      new SsimReference(toSsimImage(image(20, 20, () => 9))).compare(toSsimImage(image(20, 21, () => 9))),
    ).toThrow(/differ in shape/);
    expect(() =>
      toSsimImage({ data: Buffer.alloc(20 * 20 * 3), width: 20, height: 20, channels: 3 }),
    ).toThrow(/RGBA/);
  });
});

describe('shape checks', () => {
  const a = image(16, 12, () => 128);
  it.each<[string, RawImage]>([
    ['width', image(17, 12, () => 128)],
    ['height', image(16, 13, () => 128)],
    ['channels', { data: Buffer.alloc(16 * 12 * 3, 128), width: 16, height: 12, channels: 3 }],
  ])('refuses images that differ in %s', (_name, b) => {
    expect(() => psnr(a, b)).toThrow(/differ in shape/);
    expect(() => psnr(b, a)).toThrow(/differ in shape/);
    expect(() => meanSsim(a, b)).toThrow(/differ in shape/);
  });
});

describe("SSIM's working scale", () => {
  // Wang et al.'s reference implementation: f = max(1, round(min(M, N) / 256)).
  it.each([
    [720, 480],
    [320, 240],
    [1920, 1080],
    [100, 50],
    [384, 2000],
  ])('downsamples %i×%i by the reference factor', (width, height) => {
    expect(ssimScale(width, height)).toBe(Math.max(1, Math.round(Math.min(width, height) / 256)));
  });

  it('shrinks a 720×480 frame by 2 to a 360×240 grey image, keeping its content', async () => {
    const frame = await decodeRgba(await makeImage(720, 480));
    const small = toSsimImage(frame);
    expect([small.width, small.height, small.data.length]).toEqual([360, 240, 360 * 240]);
    const half = await decodeRgba(await makeImage(360, 240));
    expect(new SsimReference(small).compare(toSsimImage(half))).toBeGreaterThan(0.9);
  });

  it('leaves an image already at its working scale at its size, in grey', async () => {
    const frame = await decodeRgba(await makeImage(320, 240));
    const grey = toSsimImage(frame);
    expect([grey.width, grey.height]).toEqual([320, 240]);
    const [r, g, b] = frame.data;
    expect(grey.data[0]).toBe((77 * r + 150 * g + 29 * b + 128) >> 8);
  });
});
