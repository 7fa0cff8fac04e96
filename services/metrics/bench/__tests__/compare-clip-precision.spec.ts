/**
 * @jest-environment ./test/support/native-typed-arrays-environment.js
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { decodeRgb, LearnedMetrics } from '@f2f/learned-metrics';

import { compareClipPrecision, type NamedImage } from '../compare-clip-precision';

const MODEL_DIR = path.resolve(__dirname, '../../../../libs/learned-metrics/fixtures/tiny-models');
const CAPTIONS = ['A photo of a sitting dog.', 'a RED car; it is turning left'];

describe('compare:clip-precision (int8 vs float32 CLIP image tower)', () => {
  let images: NamedImage[];
  beforeAll(async () => {
    images = [];
    for (const name of ['source', 'frame-a', 'frame-b', 'target']) {
      images.push({
        name,
        image: await decodeRgb(readFileSync(path.join(MODEL_DIR, 'reference', `${name}.png`))),
      });
    }
  });

  it('reports the differences of every CLIP score and CLIP-I pair between the two towers', async () => {
    const report = await compareClipPrecision(MODEL_DIR, images, CAPTIONS);

    // The same differences computed here, pair by pair, with each tower loaded on its own.
    const fp32 = await LearnedMetrics.load({ modelDir: MODEL_DIR });
    const int8 = await LearnedMetrics.load({ modelDir: MODEL_DIR, clipImagePrecision: 'int8' });
    const dot = (x: Float32Array, y: Float32Array) => x.reduce((s, v, i) => s + v * y[i], 0);
    const a = await Promise.all(images.map(async (i) => (await fp32.reference(i.image)).clip));
    const b = await Promise.all(images.map(async (i) => (await int8.reference(i.image)).clip));
    const scores: number[] = [];
    for (const c of CAPTIONS) {
      const t = await fp32.textEmbedding(c);
      a.forEach((e, i) => scores.push(Math.abs(dot(b[i], t) - dot(e, t))));
    }
    const clipI: number[] = [];
    for (let i = 0; i < images.length; i++) {
      for (let j = i + 1; j < images.length; j++) clipI.push(Math.abs(dot(b[i], b[j]) - dot(a[i], a[j])));
    }
    await fp32.release();
    await int8.release();

    expect(report).toMatchObject({ modelId: fp32.modelId, images: 4, captions: 2 });
    expect(report.clipScore.pairs).toBe(8);
    expect(report.clipI.pairs).toBe(6);
    expect(report.clipScore.maxAbs).toBeCloseTo(Math.max(...scores), 12);
    expect(report.clipI.meanAbs).toBeCloseTo(clipI.reduce((s, v) => s + v, 0) / clipI.length, 12);
    // The towers differ (the int8 one is really used), by little on these fixtures.
    expect(report.clipScore.maxAbs).toBeGreaterThan(0);
    expect(report.clipScore.maxAbs).toBeLessThan(0.05);
    expect(report.minEmbeddingCosine).toBeGreaterThan(0.99);
    expect(report.minEmbeddingCosine).toBeLessThan(1);
    for (const change of report.bestImageChanged) expect(change.fp32).not.toBe(change.int8);
  });

  it('needs images and captions', async () => {
    await expect(compareClipPrecision(MODEL_DIR, [], CAPTIONS)).rejects.toThrow(/at least one image/);
  });
});
