import { decodeRgba, letterbox, type RawImage } from '@f2f/imaging';
import sharp from 'sharp';

import { makeImage } from '../../../../test/support/factories';
import { pathParameters, renderPath, type RenderRequest } from '../render';

const WIDTH = 720;
const HEIGHT = 480;

async function render(overrides: Partial<RenderRequest> & { image: Buffer }) {
  const frames: { index: number; png: Buffer }[] = [];
  for await (const frame of renderPath({
    prompt: 'The dog slowly sits down.',
    seed: 42,
    numFrames: 9,
    width: WIDTH,
    height: HEIGHT,
    ...overrides,
  })) {
    frames.push(frame);
  }
  return frames;
}

/**
 * Mean absolute difference over the RGB values of two decoded frames, in 0..255. (No globals such as
 * Math in the loop: under Jest's vm context every global lookup is slow.)
 */
function meanAbsDiff(a: RawImage, b: RawImage): number {
  expect([a.width, a.height, a.channels]).toEqual([b.width, b.height, b.channels]);
  const x = a.data;
  const y = b.data;
  const step = a.channels;
  let sum = 0;
  for (let i = 0; i < x.length; i += step) {
    for (let c = 0; c < 3; c++) {
      const d = x[i + c] - y[i + c];
      sum += d < 0 ? -d : d;
    }
  }
  return sum / ((x.length / step) * 3);
}

const decodeAll = (frames: { png: Buffer }[]) => Promise.all(frames.map((f) => decodeRgba(f.png)));

describe('preview render path', () => {
  let source: Buffer;
  let base: { index: number; png: Buffer }[];

  beforeAll(async () => {
    source = await makeImage(320, 240);
    base = await render({ image: source });
  });

  it('renders exactly numFrames frames, in index order', async () => {
    expect(base.map((f) => f.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    const two = await render({ image: source, numFrames: 2 });
    expect(two.map((f) => f.index)).toEqual([0, 1]);
  });

  it('renders every frame as a 720×480 PNG', async () => {
    for (const frame of base) {
      const meta = await sharp(frame.png).metadata();
      expect({ format: meta.format, width: meta.width, height: meta.height }).toEqual({
        format: 'png',
        width: WIDTH,
        height: HEIGHT,
      });
    }
  });

  it('is deterministic: the same image, prompt and seed give byte-identical frames', async () => {
    const again = await render({ image: source });
    expect(again).toHaveLength(base.length);
    again.forEach((frame, i) => expect(frame.png.equals(base[i].png)).toBe(true));
  });

  it.each([
    ['seed', { seed: 43 }],
    ['prompt', { prompt: 'The dog jumps up and runs away.' }],
  ])('takes a different path for a different %s, from the same first frame', async (_name, change) => {
    const { prompt, seed } = { prompt: 'The dog slowly sits down.', seed: 42, ...change };
    expect(pathParameters(prompt, seed)).not.toEqual(pathParameters('The dog slowly sits down.', 42));
    const other = await render({ image: source, ...change });
    expect(other).toHaveLength(base.length);
    expect(other[0].png.equals(base[0].png)).toBe(true);
    const [ours, theirs] = await decodeAll([base[base.length - 1], other[other.length - 1]]);
    expect(meanAbsDiff(ours, theirs)).toBeGreaterThan(5);
  });

  it('starts from exactly the letterboxed source', async () => {
    const [first, expected] = await Promise.all([
      decodeRgba(base[0].png),
      letterbox(source, WIDTH, HEIGHT).then((png) => decodeRgba(png)),
    ]);
    expect({ width: first.width, height: first.height }).toEqual({ width: WIDTH, height: HEIGHT });
    expect(first.data.equals(expected.data)).toBe(true);
  });

  it('moves smoothly over 49 frames and ends clearly away from the source', async () => {
    const frames = await render({ image: source, numFrames: 49 });
    expect(frames.map((f) => f.index)).toEqual(Array.from({ length: 49 }, (_, i) => i));
    const raws = await decodeAll(frames);
    for (const raw of raws)
      expect({ width: raw.width, height: raw.height }).toEqual({ width: WIDTH, height: HEIGHT });

    const steps = raws.slice(1).map((raw, i) => meanAbsDiff(raws[i], raw));
    const meanStep = steps.reduce((a, b) => a + b, 0) / steps.length;
    const maxStep = Math.max(...steps);
    const total = meanAbsDiff(raws[0], raws[raws.length - 1]);
    // Measured on this source and caption: mean step ≈ 1.1, largest ≈ 2.0 (smoothstep peaks at 1.5× its mean
    // speed), first-to-last ≈ 38. A cut or a jump to another image would be tens of levels in one step.
    expect(meanStep).toBeLessThan(3);
    expect(maxStep).toBeLessThan(3 * meanStep);
    expect(total).toBeGreaterThan(15);
    expect(maxStep).toBeLessThan(total / 8);
  });
});
