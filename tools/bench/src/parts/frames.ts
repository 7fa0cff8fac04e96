import { readFile } from 'node:fs/promises';
import path from 'node:path';

import { renderTable } from '@f2f/harness';
import { DEFAULT_FRAME_ENCODING, type FrameEncoding, PNG_FRAMES } from '@f2f/imaging';
import { REPO_ROOT } from '@f2f/launcher';

import {
  type Candidate,
  chooseEncoding,
  type ChoiceRules,
  describeEncoding,
  disqualification,
  type SampleSummary,
  summarise,
} from '../frames/choose';
import { collageOf, type PathFrame, photoLike, previewPath } from '../frames/content';
import { type EditBytes, editBytes } from '../frames/edit-bytes';
import { type FrameSample, sampleFrame } from '../frames/measure';
import type { BenchContext, BenchPart, PartResult, TargetRow } from '../part';

/** What is tried: WebP at three qualities and three efforts, AVIF at two qualities and two efforts. */
const ENCODINGS: FrameEncoding[] = [
  { format: 'webp', quality: 75, effort: 2 },
  { format: 'webp', quality: 85, effort: 2 },
  { format: 'webp', quality: 90, effort: 2 },
  { format: 'webp', quality: 85, effort: 4 },
  { format: 'webp', quality: 85, effort: 6 },
  { format: 'avif', quality: 50, effort: 2 },
  { format: 'avif', quality: 60, effort: 2 },
  { format: 'avif', quality: 60, effort: 4 },
];
const QUICK_ENCODINGS: FrameEncoding[] = [
  DEFAULT_FRAME_ENCODING,
  { format: 'webp', quality: 85, effort: 4 },
  { format: 'avif', quality: 60, effort: 2 },
];

/**
 * The frames' encoding is on the edit's critical path: CogVideoX decodes all 49 frames at the end of
 * its denoising, so they arrive at once and video-generation encodes each twice (raw and edited) while
 * the client waits. It may add at most 2 % to an H100 edit's 90 s with its two cores: 90 s × 2 % × 2
 * cores ÷ 98 encodes ≈ 37 ms of CPU per encode (the overhead benchmark measured what slower encoding
 * costs: tools/bench/src/overhead/findings.ts).
 */
const H100_VIDEO_S = 90;
const ENCODE_SHARE = 0.02;
const ENCODES_PER_EDIT = 49 * 2;
const GENERATION_CORES = 2;
const MAX_ENCODE_MS = Math.round(
  ((H100_VIDEO_S * ENCODE_SHARE * GENERATION_CORES) / ENCODES_PER_EDIT) * 1000,
);

/**
 * SSIM keeps a margin of 0.01 over the 0.98 target (content harder than ours loses more); the bytes
 * must meet the target; encoding within MAX_ENCODE_MS; up to 10 % more bytes than the fewest count
 * as a tie that the faster encoder wins.
 */
export const RULES: ChoiceRules = {
  maxRatio: 0.15,
  minSsim: 0.99,
  maxEncodeMs: MAX_ENCODE_MS,
  tieBytes: 0.1,
};
const TARGET_RATIO = 0.15;
const TARGET_SSIM = 0.98;
const PAPER_SIZE = { width: 512, height: 512 };

/** A candidate encoding measured on the photographic frames (what decides) and on the flat ones. */
interface TableRow extends Candidate {
  flat: SampleSummary;
}

interface Content {
  name: string;
  source: Buffer;
  /** The platform's default output size for this source (its own size, up to 2048). */
  defaultSize: { width: number; height: number };
  frames: PathFrame[];
}

async function contents(frameCount: number): Promise<Content[]> {
  const flat = await readFile(path.join(REPO_ROOT, 'tools/eval/dataset/images/house-lights.png'));
  const sources = [
    { name: PHOTO, source: await photoLike(640, 480, 1), defaultSize: { width: 640, height: 480 } },
    { name: 'eval house-lights 256×256', source: flat, defaultSize: { width: 256, height: 256 } },
  ];
  return Promise.all(
    sources.map(async (s) => ({
      ...s,
      frames: await previewPath(s.source, frameCount, [s.defaultSize, PAPER_SIZE]),
    })),
  );
}

const PHOTO = 'photo-like 640×480';

const sizeLabel = (s: { width: number; height: number }) => `${s.width}×${s.height}`;
const pct = (r: number) => `${(r * 100).toFixed(1)} %`;
const kib = (b: number) => `${(b / 1024).toFixed(0)} KiB`;

/** The images the table samples: raw, default size and 512×512, at a few indices of a path. */
function tableImages(c: Content, indices: number[]): Buffer[] {
  return indices.flatMap((i) => {
    const f = c.frames[Math.min(i, c.frames.length - 1)];
    return [f.raw, ...f.edited];
  });
}

/** The format table: each encoding on the photographic path (what decides) and on the flat one (shown). */
async function formatTable(
  ctx: BenchContext,
  [photo, flat]: Content[],
  frameCount: number,
): Promise<TableRow[]> {
  const indices = ctx.quick ? [frameCount - 1] : [Math.floor(frameCount / 2), frameCount - 1];
  const rows: TableRow[] = [];
  for (const encoding of ctx.quick ? QUICK_ENCODINGS : ENCODINGS) {
    const sample = async (images: Buffer[]) => {
      const samples: FrameSample[] = [];
      for (const image of images) samples.push(await sampleFrame(image, encoding));
      return summarise(samples);
    };
    const summary = await sample(tableImages(photo, indices));
    const flatSummary = await sample(tableImages(flat, indices));
    ctx.log(
      `${describeEncoding(encoding)}: ${pct(summary.ratio)} of PNG, SSIM min ${summary.ssimMin.toFixed(4)}`,
    );
    rows.push({ encoding, summary, flat: flatSummary });
  }
  return rows;
}

interface EditFigures {
  content: string;
  size: string;
  bytes: EditBytes;
  frames: SampleSummary;
  raw: SampleSummary;
}

/** Every frame of each path stored with `encoding`, at each output size: one edit's bytes and SSIM. */
async function perEdit(ctx: BenchContext, all: Content[], encoding: FrameEncoding): Promise<EditFigures[]> {
  const figures: EditFigures[] = [];
  for (const c of all) {
    // One frame at a time: the encode times are those of one frame on one core.
    const rawSamples: FrameSample[] = [];
    for (const f of c.frames) rawSamples.push(await sampleFrame(f.raw, encoding));
    const raw = summarise(rawSamples);
    for (const [i, size] of [c.defaultSize, PAPER_SIZE].entries()) {
      const samples: FrameSample[] = [];
      for (const f of c.frames) samples.push(await sampleFrame(f.edited[i], encoding));
      const frames = summarise(samples);
      const shown = c.frames.filter((f) => f.index > 0 && f.index % 4 === 0).slice(0, 12);
      const collage = await collageOf(
        c.source,
        shown.map((f) => f.edited[i]),
      );
      const result = c.frames[Math.min(12, c.frames.length - 1)].edited[i].length;
      const bytes = editBytes(frames, raw, collage.length, result);
      figures.push({ content: c.name, size: sizeLabel(size), bytes, frames, raw });
      ctx.log(`${c.name} at ${sizeLabel(size)}: ${pct(bytes.ratio)} of the PNG edit`);
    }
  }
  return figures;
}

function candidateRows(rows: TableRow[], chosen: Candidate | null): string {
  return renderTable(
    [
      'encoding',
      'photo: bytes ÷ PNG',
      'SSIM min',
      'SSIM mean',
      'encode CPU ms/frame',
      'flat: bytes ÷ PNG',
      'flat SSIM min',
      'verdict',
    ],
    rows.map((c) => [
      describeEncoding(c.encoding),
      pct(c.summary.ratio),
      c.summary.ssimMin.toFixed(4),
      c.summary.ssimMean.toFixed(4),
      c.summary.encodeMsMedian.toFixed(0),
      pct(c.flat.ratio),
      c.flat.ssimMin.toFixed(4),
      c === chosen ? '**chosen**' : (disqualification(c.summary, RULES) ?? 'qualifies'),
    ]),
  );
}

function editRows(figures: EditFigures[]): string {
  return renderTable(
    [
      'content',
      'frames',
      'PNG: frames + raw + collage',
      'after: frames + raw + collage + result',
      'edit ratio',
      'frames ratio',
      'peak (copies kept)',
      'SSIM min / mean',
      'encode CPU ms/frame',
    ],
    figures.map((f) => [
      f.content,
      f.size,
      `${kib(f.bytes.before.frames)} + ${kib(f.bytes.before.raw)} + ${kib(f.bytes.before.collage)} = ${kib(f.bytes.before.total)}`,
      `${kib(f.bytes.after.frames)} + ${kib(f.bytes.after.raw)} + ${kib(f.bytes.after.collage)} + ${kib(f.bytes.after.result)} = ${kib(f.bytes.after.total)}`,
      pct(f.bytes.ratio),
      pct(f.bytes.framesRatio),
      kib(f.bytes.peak),
      `${Math.min(f.frames.ssimMin, f.raw.ssimMin).toFixed(4)} / ${f.frames.ssimMean.toFixed(4)}`,
      `${f.frames.encodeMsMedian.toFixed(0)} (raw ${f.raw.encodeMsMedian.toFixed(0)})`,
    ]),
  );
}

/** The targets, on the photographic path (realistic frames); the flat illustration is reported beside them. */
function targetsOf(figures: EditFigures[]): TargetRow[] {
  const photo = figures.filter((f) => f.content === PHOTO);
  const flat = figures.filter((f) => f.content !== PHOTO);
  const worst = (of: EditFigures[], pick: (f: EditFigures) => number) => Math.max(...of.map(pick));
  const worstFrames = worst(photo, (f) => f.bytes.framesRatio);
  const worstEdit = worst(photo, (f) => f.bytes.ratio);
  const ssimMin = Math.min(...figures.flatMap((f) => [f.frames.ssimMin, f.raw.ssimMin]));
  const ssimMean = figures.reduce((s, f) => s + f.frames.ssimMean, 0) / figures.length;
  return [
    {
      name: 'photographic frames (edited + raw) ÷ PNG, worst size',
      measured: `${worstFrames.toFixed(3)}×`,
      target: `≤ ${TARGET_RATIO}×`,
      holds: worstFrames <= TARGET_RATIO,
    },
    {
      name: 'photographic edit (frames, raw, collage, lossless result) ÷ PNG, worst size',
      measured: `${worstEdit.toFixed(3)}×`,
      target: `≤ ${TARGET_RATIO}×`,
      holds: worstEdit <= TARGET_RATIO,
    },
    {
      name: 'SSIM against the lossless frame, every frame of both paths: min (mean)',
      measured: `${ssimMin.toFixed(4)} (${ssimMean.toFixed(4)})`,
      target: `≥ ${TARGET_SSIM}`,
      holds: ssimMin >= TARGET_SSIM,
    },
    {
      name: 'flat illustration frames ÷ PNG, worst size (PNG already small: no target)',
      measured: `${worst(flat, (f) => f.bytes.framesRatio).toFixed(3)}×`,
      target: '-',
    },
  ];
}

const same = (a: FrameEncoding, b: FrameEncoding) => describeEncoding(a) === describeEncoding(b);

/** How the flat illustration fares: PNG already stores it in a few KiB per frame. */
function flatNote(figures: EditFigures[]): string {
  const flat = figures.filter((f) => f.content !== PHOTO);
  if (flat.length === 0) return '';
  const ratios = flat.map((f) => `${pct(f.bytes.framesRatio)} at ${f.size}`).join(', ');
  const perFrame = flat
    .map((f) => `${(f.frames.pngBytes / f.frames.frames / 1024).toFixed(1)} KiB`)
    .join(' / ');
  return `The flat illustration (eval set) is the hard case for the ratio, not for the bytes: PNG already stores its frames in ${perFrame} each, and the configured encoding keeps ${ratios} of that.`;
}

/** What helped and what did not, from this run's figures (each compared with the configured encoding). */
function findings(rows: TableRow[], figures: EditFigures[]): string {
  const base = rows.find((r) => same(r.encoding, DEFAULT_FRAME_ENCODING));
  if (!base) return '';
  const vs = (r: TableRow) =>
    `${describeEncoding(r.encoding)}: ${(r.summary.ratio / base.summary.ratio).toFixed(2)}× the bytes, ` +
    `${(r.summary.encodeMsMedian / base.summary.encodeMsMedian).toFixed(1)}× the encode time, SSIM mean ${r.summary.ssimMean.toFixed(4)} vs ${base.summary.ssimMean.toFixed(4)}`;
  const others = rows.filter((r) => r !== base).map((r) => `- ${vs(r)}`);
  return [
    `**What helped / what did not** (against ${describeEncoding(base.encoding)}, photographic frames):`,
    '',
    ...others,
    '',
    "Storing lossy frames alone would score metrics on degraded pixels, so the lossless copy (every frame's kept for LOSSLESS_COPIES_KEPT_HOURS, 24, after the edit completes so that a re-chosen frame is lossless too, then only the result's and the platform's choice's) keeps metrics and the VLM's collage exact, at the cost of the \"peak\" column while an edit runs and for that window.",
    '',
    flatNote(figures),
  ].join('\n');
}

function markdownOf(
  frameCount: number,
  candidates: TableRow[],
  chosen: Candidate | null,
  figures: EditFigures[],
  quick: boolean,
): string {
  const configured = describeEncoding(DEFAULT_FRAME_ENCODING);
  const agrees = chosen !== null && describeEncoding(chosen.encoding) === configured;
  return [
    `**Method.** Every frame of the preview generator's path (zoom, hue and brightness drift) from two sources — a photo-like image (colour noise at three scales plus grain, compressing like a photograph) and an eval dataset illustration — as generated (720×480) and cropped back at the platform's default output size (the source's) and at 512×512 (the paper's). PNG is what the platform wrote before (sharp, compression level 6). Each encoding goes through video-generation's own \`encodeFrame\`; SSIM (ssim.js, Weber's algorithm) compares the decoded frame with the lossless one; encode time is the median CPU time (all threads) of one frame, which the neighbours on a shared machine do not inflate as they do wall time.${quick ? ' Quick run: fewer frames and encodings.' : ''}`,
    '',
    `**Choice** (rules: SSIM min ≥ ${RULES.minSsim} — a margin of 0.01 over the ${TARGET_SSIM} target for content harder than ours — bytes ≤ ${RULES.maxRatio}× PNG, and ≤ ${RULES.maxEncodeMs} ms of CPU per encode — the 49 frames arrive at once after CogVideoX's denoising and each is encoded twice on video-generation's 2 cores, so this adds at most ${ENCODE_SHARE * 100} % to an H100 edit's ${H100_VIDEO_S} s; of those, the fewest bytes, ties within ${RULES.tieBytes * 100} % of them going to the faster encoder; decided on the photographic frames). Sampled frames per encoding: ${candidates[0]?.summary.frames ?? 0}.`,
    '',
    candidateRows(candidates, chosen),
    '',
    `The benchmark chooses **${chosen ? describeEncoding(chosen.encoding) : 'none'}**; FRAME_FORMAT/FRAME_QUALITY default to **${configured}**${agrees ? ' (the same)' : ' (differs: see the table)'}.`,
    '',
    `**Per edit** (${frameCount} frames, one candidate, stored as ${configured}; the collage stays PNG — it is what the VLM saw — and the selected frame's lossless PNG stays as the result; "peak" counts every frame's lossless copy, kept while the edit runs and for LOSSLESS_COPIES_KEPT_HOURS after it completes):`,
    '',
    editRows(figures),
    '',
    findings(candidates, figures),
  ].join('\n');
}

export const frames: BenchPart = {
  id: 'frames',
  title: 'Frame storage',
  summary:
    'bytes per frame and per edit of the storage format versus PNG, SSIM against the lossless frame, encode time',
  async run(ctx): Promise<PartResult> {
    const frameCount = ctx.quick ? 9 : 49;
    const all = await contents(frameCount);
    ctx.log(`${all.length} paths of ${frameCount} frames rendered`);
    const candidates = await formatTable(ctx, all, frameCount);
    const chosen = chooseEncoding(candidates, RULES);
    const figures = await perEdit(ctx, all, DEFAULT_FRAME_ENCODING);
    return {
      targets: targetsOf(figures),
      markdown: markdownOf(frameCount, candidates, chosen, figures, ctx.quick),
      figures: {
        frameCount,
        rules: RULES,
        configured: DEFAULT_FRAME_ENCODING,
        chosen: chosen?.encoding ?? null,
        candidates,
        perEdit: figures,
        png: PNG_FRAMES,
      },
    };
  },
};
