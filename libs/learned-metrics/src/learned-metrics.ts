import path from 'node:path';

import * as ort from 'onnxruntime-node';

import { ClipTokenizer } from './clip-tokenizer';
import { type MetricModelsManifest, ModelDirError, readManifest } from './manifest';
import {
  CLIP_SIZE,
  lpipsResize,
  lpipsTensorInto,
  type PreparedImage,
  prepareImage,
  type Rgb8,
} from './preprocess';

export interface LearnedMetricsOptions {
  /** A directory exported by tools/metric-models (manifest.json, ONNX files, BPE vocabulary). */
  modelDir: string;
  /** Intra-op threads of each ONNX Runtime session (default 2). */
  threads?: number;
  /** Check every file's sha256 against the manifest at load (default true). */
  verifyDigests?: boolean;
  /** Let ONNX Runtime's threads spin between runs (default false; see load()). */
  allowSpinning?: boolean;
  /**
   * Which CLIP image tower measures frames: the float32 network (default, the paper's) or its int8
   * quantisation (manifest clipImageInt8, about 3x faster on CPU, scores slightly different).
   */
  clipImagePrecision?: ClipImagePrecision;
}

export const CLIP_IMAGE_PRECISIONS = ['fp32', 'int8'] as const;
export type ClipImagePrecision = (typeof CLIP_IMAGE_PRECISIONS)[number];

/** What a frame is compared with: the source or the ground-truth target, computed once per edit. */
export interface ImageReference {
  /** The CLIP image embedding, unit length. */
  clip: Float32Array;
  /** LPIPS' unit-normalised AlexNet feature maps (batch 1), one per layer. */
  lpips: ort.Tensor[];
}

/** CLIPScore's weight w (Hessel et al. 2021, "CLIPScore", eq. 1: w · max(cos(c, v), 0), w = 2.5). */
export const CLIP_SCORE_WEIGHT = 2.5;

/**
 * CLIPScore (Hessel et al. 2021) of an image–text cosine: 2.5 · max(cos, 0), in [0, 2.5]. This is
 * the scale of the paper's CLIP column (0.56–0.64 for every method and the ground truth); the raw
 * cosine of CLIP ViT-B/32 is about 0.2–0.35 and not comparable with it.
 */
export const clipScoreOf = (cosine: number): number => CLIP_SCORE_WEIGHT * Math.max(cosine, 0);

/**
 * One frame's learned metrics.
 * - lpips: LPIPS (AlexNet, v0.1) distance to the source; 0 = identical, higher = more different.
 * - clipI: cosine similarity of the CLIP image embeddings of frame and source, in [-1, 1].
 * - clipScore: CLIPScore of the frame and the target caption, 2.5 · max(cos, 0) (clipScoreOf).
 * - clipCosine: the raw cosine similarity of the frame's CLIP image embedding and the target
 *   caption's CLIP text embedding, in [-1, 1].
 * - targetLpips, targetClipI: the same against the ground-truth target image; null without one.
 */
export interface LearnedFrameMetrics {
  lpips: number;
  clipI: number;
  clipScore: number;
  clipCosine: number;
  targetLpips: number | null;
  targetClipI: number | null;
}

/**
 * The evaluation's scores of one result image (LearnedMetrics.score), at the model set's LPIPS
 * size (`lpipsSize`, 512 for the paper's protocol):
 * - lpips / targetLpips: LPIPS as its authors define it, images entering the network in [-1, 1];
 * - lpipsPaperRange / targetLpipsPaperRange: the same network with images entering in [0, 1],
 *   which is what reproduces the Frame2Frame paper's LPIPS figures (paper-comparable);
 * - clipI, targetClipI, clipScore (CLIPScore), clipCosine as in LearnedFrameMetrics.
 */
export interface ImageScores {
  lpips: number;
  lpipsPaperRange: number;
  clipI: number;
  clipScore: number;
  clipCosine: number;
  targetLpips: number | null;
  targetLpipsPaperRange: number | null;
  targetClipI: number | null;
  lpipsSize: number;
}

/** The images of one scored result: the result, what it is compared with, and the target caption. */
export interface ScoreInput {
  result: Rgb8;
  source: Rgb8;
  caption: string;
  groundTruth?: Rgb8 | null;
}

export type NetworkName = 'clipImage' | 'clipText' | 'lpipsFeatures' | 'lpipsDistance' | 'preprocess';

const NETWORKS = ['lpipsFeatures', 'lpipsDistance', 'clipImage', 'clipText'] as const;

/** The learned metrics on ONNX Runtime (CPU), with the networks and vocabulary of a model directory. */
export class LearnedMetrics {
  /** Milliseconds spent per network (and in preprocessing) since load, for benchmarks. */
  readonly timings: Record<NetworkName, number> = {
    clipImage: 0,
    clipText: 0,
    lpipsFeatures: 0,
    lpipsDistance: 0,
    preprocess: 0,
  };

  private constructor(
    readonly manifest: MetricModelsManifest,
    private readonly sessions: Record<(typeof NETWORKS)[number], ort.InferenceSession>,
    private readonly tokenizer: ClipTokenizer,
    readonly lpipsSize: number,
    readonly clipImagePrecision: ClipImagePrecision,
  ) {}

  /**
   * The model set's id (manifest `id`), recorded with every score; `+clip-image-int8` when the
   * int8 CLIP image tower measures, so that its scores are never mistaken for the float32 ones.
   */
  get modelId(): string {
    return this.clipImagePrecision === 'int8' ? `${this.manifest.id}+clip-image-int8` : this.manifest.id;
  }

  static async load(options: LearnedMetricsOptions): Promise<LearnedMetrics> {
    const { modelDir } = options;
    const manifest = readManifest(modelDir, options.verifyDigests ?? true);
    const threads = options.threads ?? 2;
    const sessionOptions: ort.InferenceSession.SessionOptions = {
      executionProviders: ['cpu'],
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
      // ONNX Runtime's pool threads spin for a while after each run by default; on two (possibly
      // hyper-threaded) cores that spinning takes the CPU from the preprocessing and pixel metrics
      // in between the runs. Measured with `npm run bench:metrics`: see services/metrics/BENCHMARKS.md.
      extra: { session: { intra_op: { allow_spinning: options.allowSpinning ? '1' : '0' } } },
    };
    const precision = options.clipImagePrecision ?? 'fp32';
    if (!CLIP_IMAGE_PRECISIONS.includes(precision)) {
      throw new Error(`unknown CLIP image precision ${String(precision)} (fp32 or int8)`);
    }
    const int8 = manifest.models.clipImageInt8;
    if (precision === 'int8' && !int8) {
      throw new ModelDirError(
        modelDir,
        'has no int8 CLIP image tower (clipImageInt8): export the set with tools/metric-models --clip-image-int8',
      );
    }
    if (
      precision === 'int8' &&
      JSON.stringify([int8?.inputs, int8?.outputs]) !==
        JSON.stringify([manifest.models.clipImage.inputs, manifest.models.clipImage.outputs])
    ) {
      throw new ModelDirError(modelDir, 'clipImageInt8 does not take and give what clipImage does');
    }
    const sessions = {} as Record<(typeof NETWORKS)[number], ort.InferenceSession>;
    for (const name of NETWORKS) {
      // The int8 tower takes the float32 one's place: same inputs, outputs and preprocessing.
      const spec = name === 'clipImage' && precision === 'int8' && int8 ? int8 : manifest.models[name];
      try {
        sessions[name] = await ort.InferenceSession.create(path.join(modelDir, spec.file), sessionOptions);
      } catch (err) {
        throw new ModelDirError(
          modelDir,
          `${spec.file} is not a loadable ONNX model (${(err as Error).message})`,
        );
      }
      checkSignature(modelDir, name, spec, sessions[name]);
    }
    const [, , h, w] = manifest.models.lpipsFeatures.inputs.image;
    const [rh, rw] = manifest.models.lpipsFeatures.preprocessing.resize;
    if (h !== rh || w !== rw || h !== w) {
      throw new ModelDirError(
        modelDir,
        `lpipsFeatures input ${h}x${w} does not match its resize ${rh}x${rw}`,
      );
    }
    const clipIn = manifest.models.clipImage.inputs.pixel_values;
    if (clipIn[2] !== CLIP_SIZE || clipIn[3] !== CLIP_SIZE) {
      throw new ModelDirError(modelDir, `clipImage input must be 224x224, manifest says ${clipIn.join('x')}`);
    }
    const img = manifest.models.clipImage.outputs.image_embeds;
    const txt = manifest.models.clipText.outputs.text_embeds;
    if (img[1] !== txt[1]) {
      throw new ModelDirError(
        modelDir,
        `CLIP image (${img[1]}) and text (${txt[1]}) embeddings differ in size`,
      );
    }
    const tokenizer = ClipTokenizer.fromFile(
      path.join(modelDir, manifest.tokenizer.vocab),
      manifest.tokenizer.contextLength,
    );
    return new LearnedMetrics(manifest, sessions, tokenizer, h, precision);
  }

  /** CLIP BPE ids of a caption (start, tokens, end, zero padding). */
  tokenize(caption: string): BigInt64Array {
    return this.tokenizer.tokenize(caption);
  }

  /** The caption's CLIP text embedding, unit length. */
  async textEmbedding(caption: string): Promise<Float32Array> {
    if (!caption.trim()) throw new Error('textEmbedding: the caption is empty');
    const ids = this.tokenize(caption);
    const out = await this.timed('clipText', () =>
      this.sessions.clipText.run({ input_ids: new ort.Tensor('int64', ids, [1, ids.length]) }),
    );
    return unit(out.text_embeds.data as Float32Array, 0, out.text_embeds.dims[1]);
  }

  /** Precomputes what frames are compared with: CLIP embedding and LPIPS features of one image. */
  async reference(image: Rgb8): Promise<ImageReference> {
    const { clip, lpips } = await this.embed(this.prepare([image]));
    return { clip: clip[0], lpips };
  }

  /** Learned metrics of each frame (one batch through each network; keep batches small). */
  measureBatch(
    frames: Rgb8[],
    source: ImageReference,
    text: Float32Array,
    groundTruth?: ImageReference | null,
  ): Promise<LearnedFrameMetrics[]> {
    return this.measurePrepared(this.prepare(frames), source, text, groundTruth);
  }

  /** measureBatch on frames already prepared (prepareImage with this model set's lpipsSize). */
  async measurePrepared(
    frames: PreparedImage[],
    source: ImageReference,
    text: Float32Array,
    groundTruth?: ImageReference | null,
  ): Promise<LearnedFrameMetrics[]> {
    if (frames.length === 0) return [];
    const { clip, lpips } = await this.embed(frames);
    const lp = await this.distance(source.lpips, lpips);
    const tlp = groundTruth ? await this.distance(groundTruth.lpips, lpips) : null;
    return clip.map((e, i) => {
      const cosine = dot(e, text);
      return {
        lpips: lp[i],
        clipI: dot(e, source.clip),
        clipScore: clipScoreOf(cosine),
        clipCosine: cosine,
        targetLpips: tlp ? tlp[i] : null,
        targetClipI: groundTruth ? dot(e, groundTruth.clip) : null,
      };
    });
  }

  /**
   * Every evaluation score of one result image (the paper's Tables 1 and 2 and both LPIPS input
   * ranges); the platform's per-frame code (measureBatch) computes the same lpips, clipI and clipScore.
   */
  async score(input: ScoreInput): Promise<ImageScores> {
    const text = await this.textEmbedding(input.caption);
    const images = [input.result, input.source, ...(input.groundTruth ? [input.groundTruth] : [])];
    const prepared = this.prepare(images);
    const { clip, lpips } = await this.embed(prepared);
    const unitRange = await this.lpipsFeatures(images.map((img) => this.unitRangeTensor(img)));
    const pick = (features: ort.Tensor[], i: number) => features.map((t) => sliceBatch(t, i));
    const pair = async (features: ort.Tensor[], other: number) =>
      (await this.distance(pick(features, other), pick(features, 0)))[0];
    const gt = input.groundTruth ? 2 : null;
    const cosine = dot(clip[0], text);
    return {
      lpips: await pair(lpips, 1),
      lpipsPaperRange: await pair(unitRange, 1),
      clipI: dot(clip[0], clip[1]),
      clipScore: clipScoreOf(cosine),
      clipCosine: cosine,
      targetLpips: gt === null ? null : await pair(lpips, gt),
      targetLpipsPaperRange: gt === null ? null : await pair(unitRange, gt),
      targetClipI: gt === null ? null : dot(clip[0], clip[gt]),
      lpipsSize: this.lpipsSize,
    };
  }

  async release(): Promise<void> {
    for (const s of Object.values(this.sessions)) await s.release();
  }

  private prepare(images: Rgb8[]): PreparedImage[] {
    const t0 = performance.now();
    const prepared = images.map((img) => prepareImage(img, this.lpipsSize));
    this.timings.preprocess += performance.now() - t0;
    return prepared;
  }

  private async embed(images: PreparedImage[]): Promise<{ clip: Float32Array[]; lpips: ort.Tensor[] }> {
    const n = images.length;
    const S = this.lpipsSize;
    const clipSize = 3 * CLIP_SIZE * CLIP_SIZE;
    const lpSize = 3 * S * S;
    const clipIn = new Float32Array(n * clipSize);
    const lpIn = new Float32Array(n * lpSize);
    images.forEach((img, i) => {
      if (img.clip.length !== clipSize || img.lpips.length !== lpSize) {
        throw new Error(
          `prepared image ${i} has tensors of ${img.clip.length} and ${img.lpips.length} values, the networks take ${clipSize} and ${lpSize} (lpipsSize ${S})`,
        );
      }
      clipIn.set(img.clip, i * clipSize);
      lpIn.set(img.lpips, i * lpSize);
    });
    const c = await this.timed('clipImage', () =>
      this.sessions.clipImage.run({
        pixel_values: new ort.Tensor('float32', clipIn, [n, 3, CLIP_SIZE, CLIP_SIZE]),
      }),
    );
    const d = c.image_embeds.dims[1];
    const data = c.image_embeds.data as Float32Array;
    const lpips = await this.lpipsFeatures([lpIn]);
    return { clip: images.map((_, i) => unit(data, i * d, d)), lpips };
  }

  /** LPIPS' input in [0, 1] (`ToTensor()(img)`, no `* 2 - 1`), at this model set's size. */
  private unitRangeTensor(img: Rgb8): Float32Array {
    const out = new Float32Array(3 * this.lpipsSize * this.lpipsSize);
    lpipsTensorInto(lpipsResize(img, this.lpipsSize), out, 0, 'unit');
    return out;
  }

  /** LPIPS' unit-normalised feature maps of a batch of input tensors (3 × S × S each, concatenated). */
  private async lpipsFeatures(tensors: Float32Array[]): Promise<ort.Tensor[]> {
    const S = this.lpipsSize;
    const per = 3 * S * S;
    const total = tensors.reduce((a, t) => a + t.length, 0);
    const input = tensors.length === 1 ? tensors[0] : new Float32Array(total);
    if (tensors.length > 1) tensors.forEach((t, i) => input.set(t, i * per));
    const f = await this.timed('lpipsFeatures', () =>
      this.sessions.lpipsFeatures.run({ image: new ort.Tensor('float32', input, [total / per, 3, S, S]) }),
    );
    return this.sessions.lpipsFeatures.outputNames.map((name) => f[name]);
  }

  private async distance(ref: ort.Tensor[], frames: ort.Tensor[]): Promise<number[]> {
    const feeds: Record<string, ort.Tensor> = {};
    ref.forEach((t, k) => (feeds[`a${k}`] = t));
    frames.forEach((t, k) => (feeds[`b${k}`] = t));
    const out = await this.timed('lpipsDistance', () => this.sessions.lpipsDistance.run(feeds));
    return Array.from(out.distance.data as Float32Array);
  }

  private async timed<T>(name: NetworkName, fn: () => Promise<T>): Promise<T> {
    const t0 = performance.now();
    try {
      return await fn();
    } finally {
      this.timings[name] += performance.now() - t0;
    }
  }
}

function checkSignature(
  modelDir: string,
  name: string,
  spec: { file: string; inputs: Record<string, number[]>; outputs: Record<string, number[]> },
  session: ort.InferenceSession,
): void {
  const compare = (
    kind: 'input' | 'output',
    expected: Record<string, number[]>,
    meta: readonly ort.InferenceSession.ValueMetadata[],
  ) => {
    const names = meta.map((m) => m.name);
    const want = Object.keys(expected);
    if (names.join(',') !== want.join(',')) {
      throw new ModelDirError(
        modelDir,
        `${spec.file} (${name}) has ${kind}s [${names}], manifest says [${want}]`,
      );
    }
    for (const m of meta) {
      const actual = m.isTensor ? m.shape.map((d) => (typeof d === 'number' ? d : -1)) : [];
      const exp = expected[m.name];
      if (actual.join(',') !== exp.join(',')) {
        throw new ModelDirError(
          modelDir,
          `${spec.file} (${name}) ${kind} ${m.name} has shape [${actual}], manifest says [${exp}]`,
        );
      }
    }
  };
  compare('input', spec.inputs, session.inputMetadata);
  compare('output', spec.outputs, session.outputMetadata);
}

/** Image `i` of a batched feature tensor, as a batch of one. */
function sliceBatch(t: ort.Tensor, i: number): ort.Tensor {
  const [, ...rest] = t.dims;
  const size = rest.reduce((a, b) => a * b, 1);
  const data = (t.data as Float32Array).subarray(i * size, (i + 1) * size);
  return new ort.Tensor('float32', data, [1, ...rest]);
}

function unit(data: Float32Array, offset: number, length: number): Float32Array {
  let s = 0;
  for (let i = 0; i < length; i++) s += data[offset + i] * data[offset + i];
  const norm = Math.sqrt(s) || 1;
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) out[i] = data[offset + i] / norm;
  return out;
}

function dot(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) throw new Error(`embeddings differ in size: ${a.length} vs ${b.length}`);
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}
