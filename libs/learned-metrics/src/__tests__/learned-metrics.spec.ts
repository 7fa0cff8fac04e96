/**
 * @jest-environment ./test/support/native-typed-arrays-environment.js
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import sharp from 'sharp';

import { ClipTokenizer } from '../clip-tokenizer';
import { clipScoreOf, LearnedMetrics } from '../learned-metrics';
import { ModelDirError, readManifest } from '../manifest';
import {
  CLIP_SIZE,
  clipCrop,
  clipTensorInto,
  decodeRgb,
  lpipsResize,
  lpipsTensorInto,
  type Rgb8,
} from '../preprocess';
import { BICUBIC, BILINEAR, pilResize, pilResizeJs, resampler } from '../pil-resize';

// Fixtures made by tools/metric-models/make-fixtures.sh: tiny random-weight networks and the values
// PyTorch computes for them with the reference (Pillow / torchvision) preprocessing.
const MODEL_DIR = path.resolve(__dirname, '../../fixtures/tiny-models');
const REF_DIR = path.join(MODEL_DIR, 'reference');

interface Reference {
  lpipsSize: number;
  images: Record<
    string,
    {
      width: number;
      height: number;
      clipTensor: { sum: number; absSum: number; samples: [number, number, number, number][] };
      lpipsTensor: { sum: number; samples: [number, number, number, number][] };
      imageEmbeds: number[];
      /** ONNX Runtime's (Python) output of the int8 tower on the same tensor. */
      imageEmbedsInt8: number[];
    }
  >;
  captions: { text: string; ids: number[]; textEmbeds: number[] }[];
  /** clipScore: the raw image–text cosine; lpipsPaperRange: lpips.LPIPS fed [0, 1] images. */
  pairs: {
    frame: string;
    against: string;
    lpips: number;
    lpipsPaperRange?: number;
    clipI: number;
    clipScore?: number;
  }[];
}
const ref: Reference = JSON.parse(readFileSync(path.join(MODEL_DIR, 'reference.json'), 'utf8'));
const NAMES = Object.keys(ref.images);

const load = (name: string) => decodeRgb(readFileSync(path.join(REF_DIR, name)));

function maxAbsDiff(a: Uint8Array, b: Uint8Array): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

const cosine = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += a[i] * b[i];
    aa += a[i] * a[i];
    bb += b[i] * b[i];
  }
  return ab / Math.sqrt(aa * bb);
};

describe('preprocessing (against Pillow / torchvision)', () => {
  it.each(NAMES)('CLIP resize + centre crop of %s equals Pillow pixel for pixel', async (name) => {
    const img = await load(`${name}.png`);
    expect([img.width, img.height]).toEqual([ref.images[name].width, ref.images[name].height]);
    const crop = clipCrop(img);
    const expected = await load(`${name}.clip.png`);
    expect([crop.width, crop.height]).toEqual([CLIP_SIZE, CLIP_SIZE]);
    expect(maxAbsDiff(crop.data, expected.data)).toBe(0);
  });

  // Frames arrive as RGBA (the metrics service decodes them so).
  it.each(NAMES)('both resizes of %s as RGBA pixels equal Pillow pixel for pixel', async (name) => {
    const { data, info } = await sharp(readFileSync(path.join(REF_DIR, `${name}.png`)))
      .ensureAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    expect(info.channels).toBe(4);
    const rgba = { data, width: info.width, height: info.height, channels: 4 };
    expect(maxAbsDiff(clipCrop(rgba).data, (await load(`${name}.clip.png`)).data)).toBe(0);
    expect(maxAbsDiff(lpipsResize(rgba, ref.lpipsSize).data, (await load(`${name}.lpips.png`)).data)).toBe(0);
    // Pixels at an odd offset in their buffer give the same result.
    const shifted = Buffer.alloc(data.length + 1);
    data.copy(shifted, 1);
    const unaligned = { ...rgba, data: shifted.subarray(1) };
    expect(maxAbsDiff(clipCrop(unaligned).data, (await load(`${name}.clip.png`)).data)).toBe(0);
  });

  it.each(NAMES)(
    'the JavaScript passes alone (the reference of the WebAssembly ones) equal Pillow on %s',
    async (name) => {
      const img = await load(`${name}.png`);
      const r = ref.images[name];
      const short = Math.min(r.width, r.height);
      const [w, h] = [Math.trunc((CLIP_SIZE * r.width) / short), Math.trunc((CLIP_SIZE * r.height) / short)];
      expect(resampler(img, w, h)).toBe('wasm');
      const js = pilResizeJs(img, w, h, BICUBIC);
      expect(maxAbsDiff(js.data, pilResize(img, w, h, BICUBIC).data)).toBe(0);
      expect(maxAbsDiff(clipCrop(img).data, (await load(`${name}.clip.png`)).data)).toBe(0);
      expect(
        maxAbsDiff(
          pilResizeJs(img, ref.lpipsSize, ref.lpipsSize, BILINEAR).data,
          (await load(`${name}.lpips.png`)).data,
        ),
      ).toBe(0);
    },
  );

  // Random pixels of every value, 3 and 4 channels, down- and upscaling, odd and tiny sizes.
  it.each([
    [512, 512, 4, 224, 224, 'bicubic'],
    [512, 512, 4, 256, 256, 'bilinear'],
    [720, 480, 4, 336, 224, 'bicubic'],
    [97, 131, 3, 40, 77, 'bicubic'],
    [33, 17, 3, 64, 50, 'bicubic'],
    [300, 200, 4, 6, 3, 'bilinear'],
    [50, 60, 3, 600, 700, 'bilinear'],
    [1, 9, 4, 7, 3, 'bicubic'],
  ] as const)(
    'the WebAssembly passes equal the JavaScript ones bit for bit: %ix%i (%i channels) to %ix%i, %s',
    (w, h, channels, W, H, filter) => {
      let seed = w * 7919 + h * 104729 + channels;
      const data = new Uint8Array(w * h * channels).map(() => {
        seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
        return seed >>> 24;
      });
      const img = { data, width: w, height: h, channels };
      const f = filter === 'bicubic' ? BICUBIC : BILINEAR;
      expect(resampler(img, W, H)).toBe('wasm');
      const wasm = pilResize(img, W, H, f);
      expect([wasm.width, wasm.height, wasm.data.length]).toEqual([W, H, W * H * 3]);
      expect(maxAbsDiff(wasm.data, pilResizeJs(img, W, H, f).data)).toBe(0);
    },
  );

  it('resizes along one axis, or to fewer than 6 columns, in JavaScript', () => {
    const img = { data: new Uint8Array(40 * 30 * 3).fill(7), width: 40, height: 30, channels: 3 };
    expect(resampler(img, 40, 20)).toBe('js');
    expect(resampler(img, 20, 30)).toBe('js');
    expect(resampler(img, 5, 20)).toBe('js');
    expect(pilResize(img, 5, 20, BICUBIC).data.every((v) => v === 7)).toBe(true);
  });

  it.each(NAMES)('LPIPS resize of %s equals Pillow pixel for pixel', async (name) => {
    const img = await load(`${name}.png`);
    const small = lpipsResize(img, ref.lpipsSize);
    const expected = await load(`${name}.lpips.png`);
    expect(maxAbsDiff(small.data, expected.data)).toBe(0);
  });

  it.each(NAMES)('normalised tensors of %s match torchvision values', async (name) => {
    const img = await load(`${name}.png`);
    const clip = new Float32Array(3 * CLIP_SIZE * CLIP_SIZE);
    clipTensorInto(clipCrop(img), clip);
    const r = ref.images[name];
    for (const [c, y, x, v] of r.clipTensor.samples) {
      expect(clip[(c * CLIP_SIZE + y) * CLIP_SIZE + x]).toBeCloseTo(v, 6);
    }
    expect(clip.reduce((s, v) => s + v, 0)).toBeCloseTo(r.clipTensor.sum, 1);
    expect(clip.reduce((s, v) => s + Math.abs(v), 0)).toBeCloseTo(r.clipTensor.absSum, 1);

    const S = ref.lpipsSize;
    const lp = new Float32Array(3 * S * S);
    lpipsTensorInto(lpipsResize(img, S), lp);
    for (const [c, y, x, v] of r.lpipsTensor.samples) expect(lp[(c * S + y) * S + x]).toBeCloseTo(v, 6);
    expect(lp.reduce((s, v) => s + v, 0)).toBeCloseTo(r.lpipsTensor.sum, 1);
  });

  it('the Pillow resize is not sharp: libvips would not reproduce the reference', async () => {
    const img = await load('frame-b.png');
    const viaSharp = await sharp(readFileSync(path.join(REF_DIR, 'frame-b.png')))
      .resize(ref.lpipsSize, ref.lpipsSize, { fit: 'fill', kernel: 'linear' })
      .removeAlpha()
      .raw()
      .toBuffer();
    const expected = await load('frame-b.lpips.png');
    expect(maxAbsDiff(lpipsResize(img, ref.lpipsSize).data, expected.data)).toBe(0);
    expect(maxAbsDiff(viaSharp, expected.data)).toBeGreaterThan(0);
  });
});

describe('CLIP tokenizer (against open_clip SimpleTokenizer)', () => {
  const tokenizer = ClipTokenizer.fromFile(path.join(MODEL_DIR, 'bpe_simple_vocab_16e6.txt.gz'));

  it.each(ref.captions.map((c) => [c.text.slice(0, 40), c] as const))('ids of %j', (_, c) => {
    expect(Array.from(tokenizer.tokenize(c.text), Number)).toEqual(c.ids);
  });

  it('rejects a vocabulary that is not CLIP BPE', () => {
    expect(() => new ClipTokenizer('header\na b\n')).toThrow(/expected 48894 merges/);
  });
});

describe('LearnedMetrics on the tiny fixture networks (against PyTorch)', () => {
  let metrics: LearnedMetrics;
  const images: Record<string, Rgb8> = {};

  beforeAll(async () => {
    metrics = await LearnedMetrics.load({ modelDir: MODEL_DIR, threads: 1 });
    for (const n of NAMES) images[n] = await load(`${n}.png`);
  });
  afterAll(() => metrics.release());

  it('names the model set, labelled as random-weight fixtures', () => {
    expect(metrics.modelId).toMatch(/^fixture-tiny-random-[0-9a-f]{12}$/);
    expect(metrics.manifest.weights).toBe('random');
    expect(metrics.manifest.note).toMatch(/RANDOM-WEIGHT TEST FIXTURES/);
  });

  it('image embeddings match PyTorch', async () => {
    for (const n of NAMES) {
      const r = await metrics.reference(images[n]);
      expect(cosine(r.clip, ref.images[n].imageEmbeds)).toBeGreaterThan(0.99999);
      const norm = Math.hypot(...ref.images[n].imageEmbeds);
      r.clip.forEach((v, i) => expect(v).toBeCloseTo(ref.images[n].imageEmbeds[i] / norm, 4));
    }
  });

  it('text embeddings match PyTorch', async () => {
    for (const c of ref.captions) {
      const e = await metrics.textEmbedding(c.text);
      expect(cosine(e, c.textEmbeds)).toBeGreaterThan(0.99999);
    }
    await expect(metrics.textEmbedding('  ')).rejects.toThrow(/caption is empty/);
  });

  it('LPIPS, CLIP-I and CLIP score of a batch match PyTorch (lpips.LPIPS forward)', async () => {
    const source = await metrics.reference(images.source);
    const target = await metrics.reference(images.target);
    const text = await metrics.textEmbedding(ref.captions[0].text);
    const frames = ['frame-a', 'frame-b', 'source'];
    const out = await metrics.measureBatch(
      frames.map((f) => images[f]),
      source,
      text,
      target,
    );
    expect(out).toHaveLength(3);
    frames.forEach((f, i) => {
      const vsSource = ref.pairs.find((p) => p.frame === f && p.against === 'source')!;
      const vsTarget = ref.pairs.find((p) => p.frame === f && p.against === 'target')!;
      expect(out[i].lpips).toBeCloseTo(vsSource.lpips, 5);
      expect(out[i].clipI).toBeCloseTo(vsSource.clipI, 5);
      expect(out[i].clipCosine).toBeCloseTo(vsSource.clipScore!, 5);
      // CLIPScore (Hessel et al. 2021): 2.5 · max(cos, 0).
      expect(out[i].clipScore).toBeCloseTo(2.5 * Math.max(vsSource.clipScore!, 0), 5);
      expect(out[i].targetLpips).toBeCloseTo(vsTarget.lpips, 5);
      expect(out[i].targetClipI).toBeCloseTo(vsTarget.clipI, 5);
    });
    // The source against itself: distance 0, similarity 1.
    expect(out[2].lpips).toBeCloseTo(0, 6);
    expect(out[2].clipI).toBeCloseTo(1, 6);
    const noTarget = await metrics.measureBatch([images['frame-a']], source, text);
    expect(noTarget[0]).toMatchObject({ targetLpips: null, targetClipI: null, lpips: out[0].lpips });
  });

  it('scores a result with both LPIPS input ranges as lpips.LPIPS computes them, and CLIPScore', async () => {
    for (const f of ['frame-a', 'frame-b']) {
      const vsSource = ref.pairs.find((p) => p.frame === f && p.against === 'source')!;
      const vsTarget = ref.pairs.find((p) => p.frame === f && p.against === 'target')!;
      const s = await metrics.score({
        result: images[f],
        source: images.source,
        caption: ref.captions[0].text,
        groundTruth: images.target,
      });
      expect(s.lpipsSize).toBe(ref.lpipsSize);
      expect(s.lpips).toBeCloseTo(vsSource.lpips, 5);
      expect(s.lpipsPaperRange).toBeCloseTo(vsSource.lpipsPaperRange!, 5);
      expect(s.targetLpips).toBeCloseTo(vsTarget.lpips, 5);
      expect(s.targetLpipsPaperRange).toBeCloseTo(vsTarget.lpipsPaperRange!, 5);
      // The two ranges are different numbers: [0, 1] inputs halve the feature contrasts.
      expect(Math.abs(s.lpips - s.lpipsPaperRange)).toBeGreaterThan(1e-3);
      expect(s.clipI).toBeCloseTo(vsSource.clipI, 5);
      expect(s.targetClipI).toBeCloseTo(vsTarget.clipI, 5);
      expect(s.clipCosine).toBeCloseTo(vsSource.clipScore!, 5);
      expect(s.clipScore).toBeCloseTo(2.5 * Math.max(vsSource.clipScore!, 0), 5);
    }
    const alone = await metrics.score({ result: images.source, source: images.source, caption: 'a cat' });
    expect(alone).toMatchObject({ targetLpips: null, targetLpipsPaperRange: null, targetClipI: null });
    expect(alone.lpips).toBeCloseTo(0, 6);
    expect(alone.lpipsPaperRange).toBeCloseTo(0, 6);
  });

  it('clipScoreOf is CLIPScore: 2.5 · max(cos, 0)', () => {
    expect(clipScoreOf(0.3)).toBeCloseTo(0.75, 12);
    expect(clipScoreOf(-0.2)).toBe(0);
    expect(clipScoreOf(1)).toBe(2.5);
  });

  it('rejects an image that is not RGB', async () => {
    const bad: Rgb8 = { data: new Uint8Array(10), width: 10, height: 10, channels: 3 };
    await expect(metrics.reference(bad)).rejects.toThrow(/not an RGB\(A\) image/);
  });
});

describe('the int8 CLIP image tower (clipImageInt8, METRIC_CLIP_IMAGE_PRECISION=int8)', () => {
  let fp32: LearnedMetrics;
  let int8: LearnedMetrics;
  const images: Record<string, Rgb8> = {};

  beforeAll(async () => {
    fp32 = await LearnedMetrics.load({ modelDir: MODEL_DIR, threads: 1 });
    int8 = await LearnedMetrics.load({ modelDir: MODEL_DIR, threads: 1, clipImagePrecision: 'int8' });
    for (const n of NAMES) images[n] = await load(`${n}.png`);
  });
  afterAll(async () => {
    await fp32.release();
    await int8.release();
  });

  it('is not the default, and its scores carry their own model id', () => {
    expect(fp32.clipImagePrecision).toBe('fp32');
    expect(int8.clipImagePrecision).toBe('int8');
    expect(int8.modelId).toBe(`${fp32.modelId}+clip-image-int8`);
    expect(int8.manifest.models.clipImageInt8?.quantization.of).toBe('clipImage');
  });

  it("gives ONNX Runtime's own output for the quantised network, close to but not the float32 network's", async () => {
    for (const n of NAMES) {
      const [a, b] = await Promise.all([int8.reference(images[n]), fp32.reference(images[n])]);
      // ONNX Runtime's int8 MatMul kernels differ by CPU: the reference was computed on one with
      // AVX-512 VNNI; an AVX2-only CPU (saturating u8·s8 products) agrees only to 0.994-0.9993 on these images, about as well as with the float32 tower.
      expect(cosine(a.clip, ref.images[n].imageEmbedsInt8)).toBeGreaterThan(0.99);
      expect(cosine(a.clip, ref.images[n].imageEmbeds)).toBeGreaterThan(0.99);
      expect(a.clip.some((v, i) => v !== b.clip[i])).toBe(true);
    }
  });

  it('measures a batch: LPIPS as with float32, CLIP-I and CLIP score within 0.03 of it', async () => {
    const text = await fp32.textEmbedding(ref.captions[0].text);
    const frames = [images['frame-a'], images['frame-b']];
    const [a, b] = await Promise.all([
      int8.measureBatch(frames, await int8.reference(images.source), text),
      fp32.measureBatch(frames, await fp32.reference(images.source), text),
    ]);
    a.forEach((m, i) => {
      expect(m.lpips).toBe(b[i].lpips);
      // (0.01 on a CPU with AVX-512 VNNI, 0.018 on an AVX2-only one: see above)
      expect(Math.abs(m.clipI - b[i].clipI)).toBeLessThan(0.03);
      expect(Math.abs(m.clipCosine - b[i].clipCosine)).toBeLessThan(0.03);
      // CLIPScore is 2.5 × the cosine (clipped at 0).
      expect(Math.abs(m.clipScore - b[i].clipScore)).toBeLessThan(2.5 * 0.03);
    });
  });
});

describe('model directory validation', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'f2f-models-'));
    cpSync(MODEL_DIR, dir, { recursive: true });
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const editManifest = (edit: (m: Record<string, any>) => void) => {
    const m = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
    edit(m);
    writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(m));
  };

  it('a missing directory', async () => {
    await expect(LearnedMetrics.load({ modelDir: path.join(dir, 'nope') })).rejects.toThrow(/does not exist/);
  });

  it('no manifest', async () => {
    rmSync(path.join(dir, 'manifest.json'));
    await expect(LearnedMetrics.load({ modelDir: dir })).rejects.toThrow(/has no manifest\.json/);
  });

  it('a manifest that is not JSON', async () => {
    writeFileSync(path.join(dir, 'manifest.json'), '{ nope');
    await expect(LearnedMetrics.load({ modelDir: dir })).rejects.toThrow(/not JSON/);
  });

  it('a manifest missing fields names them', async () => {
    editManifest((m) => {
      delete m.models.clipText;
      m.weights = 'pretty';
    });
    const err = await LearnedMetrics.load({ modelDir: dir }).catch((e) => e);
    expect(err).toBeInstanceOf(ModelDirError);
    expect(err.message).toMatch(/weights/);
    expect(err.message).toMatch(/models\.clipText/);
  });

  it('a missing model file', async () => {
    rmSync(path.join(dir, 'clip_image.onnx'));
    await expect(LearnedMetrics.load({ modelDir: dir })).rejects.toThrow(/missing clip_image\.onnx/);
  });

  it('a file that does not match its digest', async () => {
    writeFileSync(path.join(dir, 'lpips_distance.onnx'), 'garbage');
    await expect(LearnedMetrics.load({ modelDir: dir })).rejects.toThrow(
      /lpips_distance\.onnx does not match its digest/,
    );
  });

  it('a file that is not ONNX (digests not checked)', async () => {
    writeFileSync(path.join(dir, 'lpips_distance.onnx'), 'garbage');
    await expect(LearnedMetrics.load({ modelDir: dir, verifyDigests: false })).rejects.toThrow(
      /lpips_distance\.onnx is not a loadable ONNX model/,
    );
  });

  it('a network whose shapes differ from the manifest', async () => {
    editManifest((m) => (m.models.clipImage.outputs.image_embeds = [-1, 512]));
    await expect(LearnedMetrics.load({ modelDir: dir })).rejects.toThrow(
      /clip_image\.onnx \(clipImage\) output image_embeds has shape \[-1,16\], manifest says \[-1,512\]/,
    );
  });

  it('renamed inputs', async () => {
    editManifest((m) => (m.models.clipText.inputs = { tokens: [1, 77] }));
    await expect(LearnedMetrics.load({ modelDir: dir })).rejects.toThrow(
      /has inputs \[input_ids\], manifest says \[tokens\]/,
    );
  });

  it('an int8 CLIP image tower asked of a set without one', async () => {
    editManifest((m) => delete m.models.clipImageInt8);
    await expect(LearnedMetrics.load({ modelDir: dir })).resolves.toBeInstanceOf(LearnedMetrics);
    await expect(LearnedMetrics.load({ modelDir: dir, clipImagePrecision: 'int8' })).rejects.toThrow(
      /has no int8 CLIP image tower \(clipImageInt8\): export the set with tools\/metric-models --clip-image-int8/,
    );
  });

  it('an int8 CLIP image tower that does not match its digest, or takes other inputs', async () => {
    writeFileSync(path.join(dir, 'clip_image_int8.onnx'), 'garbage');
    await expect(LearnedMetrics.load({ modelDir: dir })).rejects.toThrow(
      /clip_image_int8\.onnx does not match its digest/,
    );
    cpSync(path.join(MODEL_DIR, 'clip_image_int8.onnx'), path.join(dir, 'clip_image_int8.onnx'));
    editManifest((m) => (m.models.clipImageInt8.inputs = { pixel_values: [-1, 3, 256, 256] }));
    await expect(LearnedMetrics.load({ modelDir: dir, clipImagePrecision: 'int8' })).rejects.toThrow(
      /clipImageInt8 does not take and give what clipImage does/,
    );
  });

  it('the committed manifest passes, with digests', () => {
    expect(readManifest(MODEL_DIR).id).toMatch(/^fixture-/);
  });
});
