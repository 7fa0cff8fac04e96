import path from 'node:path';
import { parseArgs } from 'node:util';

import { type Ablation, ABLATIONS } from './variants';

/** A command line the evaluation cannot run with; the message says what to change. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export interface EvalOptions {
  dataset: string;
  gateway: string;
  /** The tenant's API key (read scope for queries, write for createEdit); --api-key or F2F_API_KEY. */
  apiKey: string | null;
  out: string;
  ablation: Ablation;
  /** How many seeds per item and variant: firstSeed, firstSeed + 1, ... */
  seeds: number;
  firstSeed: number;
  /** Edits in flight at once. */
  concurrency: number;
  /** Per edit, from createEdit to a terminal status. */
  timeoutS: number;
  /** Videos per edit (the platform's `candidates`). */
  candidates: number;
  /** Edited frames are outputSize × outputSize (512 in the paper's protocol). */
  outputSize: number;
  /** Render metrics the platform does not serve as n/a instead of refusing to run. */
  allowMissingMetrics: boolean;
  /** Print rows made with stand-ins (labelled) instead of refusing them. */
  allowStandIns: boolean;
  /** Add the "best of N seeds by the VLM" row (one edit of N candidates per item); needs seeds > 1. */
  bestByVlm: boolean;
  help: boolean;
}

export const USAGE = `Usage: npm run eval -- --dataset <dir> [options]
       npm run eval -- score --dataset <dir> (--edited <dir> | --reference) [options]  (see score --help)

Runs every dataset item through the platform (one createEdit per item x variant x seed) and writes
the paper's Table 1 (Table 2 when items have ground-truth images) to stdout, <out>/results.md,
<out>/results.csv and <out>/items.csv.

  --dataset <dir>          folder with dataset.json or dataset.jsonl (required)
  --gateway <url>          GraphQL endpoint (default http://localhost:4000/graphql)
  --api-key <key>          the tenant's API key with read and write scopes (default: $F2F_API_KEY)
  --out <dir>              output folder (default .cache/eval/<timestamp>)
  --ablation <which>       none (default: F2F only), caption (+ Target caption, Table S4),
                           selection (+ Last frame, Table S5), metric (+ METRIC selection), all
  --seeds <n>              seeds per item and variant (default 1); n > 1 adds best-of-seeds rows
                           (per item, the seed with the highest CLIP score: "best by CLIP")
  --best-by-vlm            with --seeds n > 1: also one edit of n candidates per item, the VLM
                           choosing across them ("best of n seeds by the VLM")
  --first-seed <n>         the first seed (default 0)
  --concurrency <n>        edits in flight at once (default 2)
  --timeout-s <n>          per edit, until COMPLETED/FAILED/CANCELLED (default 900)
  --candidates <n>         videos per edit, 1..8 (default 1)
  --output-size <n>        edited frames are n x n (default 512, the paper's protocol)
  --allow-missing-metrics  report metrics the platform does not serve as n/a instead of stopping
  --allow-stand-ins        print rows whose edits used a stand-in (preview generator, template
                           caption, last-frame fallback of the VLM policy, random-weight metric
                           networks), labelled with it, instead of refusing them
  -h, --help               this text
`;

function integer(name: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined) return fallback;
  if (!/^-?\d+$/.test(raw.trim())) throw new UsageError(`--${name} must be an integer, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max)
    throw new UsageError(`--${name} must be between ${min} and ${max}, got ${value}`);
  return value;
}

/** Parses and checks the command line; throws UsageError with a clear message. */
export function parseOptions(
  argv: string[],
  now: Date = new Date(),
  env: Record<string, string | undefined> = process.env,
): EvalOptions {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        dataset: { type: 'string' },
        gateway: { type: 'string' },
        'api-key': { type: 'string' },
        out: { type: 'string' },
        ablation: { type: 'string' },
        seeds: { type: 'string' },
        'first-seed': { type: 'string' },
        concurrency: { type: 'string' },
        'timeout-s': { type: 'string' },
        candidates: { type: 'string' },
        'output-size': { type: 'string' },
        'allow-missing-metrics': { type: 'boolean' },
        'allow-stand-ins': { type: 'boolean' },
        'best-by-vlm': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const help = values.help === true;
  const str = (name: string) => values[name] as string | undefined;

  const dataset = str('dataset');
  if (!help && (dataset === undefined || dataset.trim() === ''))
    throw new UsageError('--dataset <dir> is required');

  const gateway = str('gateway') ?? 'http://localhost:4000/graphql';
  let url: URL;
  try {
    url = new URL(gateway);
  } catch {
    throw new UsageError(`--gateway must be an http(s) URL, got "${gateway}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new UsageError(`--gateway must be an http(s) URL, got "${gateway}"`);

  const apiKey = (str('api-key') ?? env.F2F_API_KEY ?? '').trim() || null;
  if (apiKey !== null && !/^[\x21-\x7e]{8,512}$/.test(apiKey))
    throw new UsageError('--api-key must be the key as the platform issued it (printable, no spaces)');

  const ablation = str('ablation') ?? 'none';
  if (!(ABLATIONS as readonly string[]).includes(ablation))
    throw new UsageError(`--ablation must be one of ${ABLATIONS.join(', ')}, got "${ablation}"`);

  const stamp = now.toISOString().replace(/[:.]/g, '-');
  const seeds = integer('seeds', str('seeds'), 1, 1, 100);
  const bestByVlm = values['best-by-vlm'] === true;
  if (bestByVlm && seeds < 2) throw new UsageError('--best-by-vlm needs --seeds 2 or more');
  if (bestByVlm && seeds > 8)
    throw new UsageError('--best-by-vlm runs the seeds as candidates of one edit: --seeds must be at most 8');
  return {
    dataset: path.resolve(dataset ?? '.'),
    gateway,
    apiKey,
    out: path.resolve(str('out') ?? path.join('.cache', 'eval', stamp)),
    ablation: ablation as Ablation,
    seeds,
    firstSeed: integer('first-seed', str('first-seed'), 0, 0, 2 ** 31 - 101),
    concurrency: integer('concurrency', str('concurrency'), 2, 1, 64),
    timeoutS: integer('timeout-s', str('timeout-s'), 900, 1, 86_400),
    candidates: integer('candidates', str('candidates'), 1, 1, 8),
    outputSize: integer('output-size', str('output-size'), 512, 16, 4096),
    allowMissingMetrics: values['allow-missing-metrics'] === true,
    allowStandIns: values['allow-stand-ins'] === true,
    bestByVlm,
    help,
  };
}
