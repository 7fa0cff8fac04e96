/**
 * How far the int8 CLIP image tower's scores are from the float32 tower's, on your images and
 * captions: run it with trained weights before setting METRIC_CLIP_IMAGE_PRECISION=int8.
 *
 *   npm run compare:clip-precision -w @f2f/metrics -- --models DIR --images DIR --captions FILE
 *
 * --models: a set exported with --clip-image-int8; --images: a folder of PNG, JPEG or WebP images
 * (for example frames of real edits); --captions: a text file, one caption a line. Every image is
 * scored against every caption (CLIP score) and against every other image (CLIP-I) with both towers;
 * the report gives the differences and how often the best-scoring image of a caption changes.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';

import { decodeRgb, LearnedMetrics, type Rgb8 } from '@f2f/learned-metrics';

export interface NamedImage {
  name: string;
  image: Rgb8;
}

interface Deltas {
  pairs: number;
  maxAbs: number;
  meanAbs: number;
}

export interface PrecisionReport {
  modelId: string;
  images: number;
  captions: number;
  /** cosine of each image's int8 embedding with its float32 embedding: the lowest. */
  minEmbeddingCosine: number;
  clipScore: Deltas;
  clipI: Deltas;
  /** Captions whose highest-scoring image differs between the towers. */
  bestImageChanged: { caption: string; fp32: string; int8: string }[];
}

const dot = (a: Float32Array, b: Float32Array) => a.reduce((s, v, i) => s + v * b[i], 0);

function deltas(values: number[]): Deltas {
  const abs = values.map(Math.abs);
  return {
    pairs: abs.length,
    maxAbs: abs.length ? Math.max(...abs) : 0,
    meanAbs: abs.length ? abs.reduce((s, v) => s + v, 0) / abs.length : 0,
  };
}

/** Scores every image against every caption and every other image with both CLIP image towers. */
export async function compareClipPrecision(
  modelDir: string,
  images: NamedImage[],
  captions: string[],
): Promise<PrecisionReport> {
  if (images.length === 0 || captions.length === 0)
    throw new Error('needs at least one image and one caption');
  const fp32 = await LearnedMetrics.load({ modelDir, clipImagePrecision: 'fp32' });
  const int8 = await LearnedMetrics.load({ modelDir, clipImagePrecision: 'int8' });
  try {
    const texts = [];
    for (const c of captions) texts.push(await fp32.textEmbedding(c));
    const a: Float32Array[] = [];
    const b: Float32Array[] = [];
    for (const { image } of images) {
      a.push((await fp32.reference(image)).clip);
      b.push((await int8.reference(image)).clip);
    }
    const scoreDeltas: number[] = [];
    const bestImageChanged: PrecisionReport['bestImageChanged'] = [];
    texts.forEach((t, c) => {
      const s32 = a.map((e) => dot(e, t));
      const s8 = b.map((e) => dot(e, t));
      s32.forEach((v, i) => scoreDeltas.push(s8[i] - v));
      const best32 = s32.indexOf(Math.max(...s32));
      const best8 = s8.indexOf(Math.max(...s8));
      if (best32 !== best8) {
        bestImageChanged.push({ caption: captions[c], fp32: images[best32].name, int8: images[best8].name });
      }
    });
    const clipIDeltas: number[] = [];
    for (let i = 0; i < images.length; i++) {
      for (let j = i + 1; j < images.length; j++) clipIDeltas.push(dot(b[i], b[j]) - dot(a[i], a[j]));
    }
    return {
      modelId: fp32.modelId,
      images: images.length,
      captions: captions.length,
      minEmbeddingCosine: Math.min(...a.map((e, i) => dot(e, b[i]))),
      clipScore: deltas(scoreDeltas),
      clipI: deltas(clipIDeltas),
      bestImageChanged,
    };
  } finally {
    await fp32.release();
    await int8.release();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { models: { type: 'string' }, images: { type: 'string' }, captions: { type: 'string' } },
  });
  if (!values.models || !values.images || !values.captions) {
    throw new Error('usage: compare-clip-precision --models DIR --images DIR --captions FILE');
  }
  // npm runs the script in the workspace's folder: paths are the caller's (INIT_CWD).
  const at = (p: string) => path.resolve(process.env.INIT_CWD ?? process.cwd(), p);
  const [modelDir, imageDir, captionFile] = [at(values.models), at(values.images), at(values.captions)];
  const files = (await readdir(imageDir)).filter((f) => /\.(png|jpe?g|webp)$/i.test(f)).sort();
  const images: NamedImage[] = [];
  for (const f of files)
    images.push({ name: f, image: await decodeRgb(await readFile(path.join(imageDir, f))) });
  const captions = (await readFile(captionFile, 'utf8'))
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  console.log(JSON.stringify(await compareClipPrecision(modelDir, images, captions), null, 2));
}

if (require.main === module) {
  void main().catch((err) => {
    console.error((err as Error).message);
    process.exit(1);
  });
}
