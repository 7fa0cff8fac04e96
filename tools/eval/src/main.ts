import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { summarize, type Summary } from './aggregate';
import { type Dataset, DatasetError, loadDataset } from './dataset';
import { GatewayClient, GatewayError } from './gateway-client';
import { type MetricField, PAPER_METRIC_FIELDS, type RunResult } from './model';
import { type EvalOptions, parseOptions, UsageError, USAGE } from './options';
import { STAND_IN_LABEL } from './provenance';
import { runScore, ScoreError } from './score';
import { renderItemsCsv, renderMarkdown, renderResultsCsv } from './render';
import { type Clock, runEvaluation, systemClock } from './run-eval';
import { variantsFor } from './variants';

export interface EvalIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  fetch?: typeof fetch;
  clock?: Clock;
  /** Poll interval of each edit's status (1 s by default). */
  pollMs?: number;
}

export interface EvalReport {
  options: EvalOptions;
  dataset: Dataset;
  results: RunResult[];
  summary: Summary;
  markdown: string;
  /** Paper metrics the platform does not serve (only with --allow-missing-metrics). */
  missingMetrics: MetricField[];
  files: { markdown: string; resultsCsv: string; itemsCsv: string };
}

/** A platform the evaluation cannot measure with: the message says why. */
export class PlatformError extends Error {
  override readonly name = 'PlatformError';
}

/** Rows made with stand-ins, refused (without --allow-stand-ins): the message names each. */
export class StandInError extends Error {
  override readonly name = 'StandInError';
}

/** Refuses the rows whose edits used a stand-in, naming each stand-in and how often it was used. */
export function refuseStandIns(summary: Summary): void {
  const refused = summary.rows.filter((r) => r.aggregation === 'mean' && r.standIns.length > 0);
  if (refused.length === 0) return;
  const lines = refused.map(
    (r) =>
      `  - ${r.variant.name}: ` +
      r.standIns
        .map(
          (s) =>
            `${STAND_IN_LABEL[s.kind]} in ${s.count} of ${r.completed} edits${s.details.length ? ` (${s.details.slice(0, 3).join('; ')})` : ''}`,
        )
        .join(', '),
  );
  throw new StandInError(
    `refusing to print ${refused.length} row(s) whose edits used stand-ins, not the method:\n${lines.join('\n')}\n` +
      "Their numbers would look like the method's. Fix the platform (a real video model, a VLM, trained metric " +
      'networks), or pass --allow-stand-ins to print them labelled with the stand-in.',
  );
}

const processIo: EvalIo = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
};

/**
 * The evaluation: checks the dataset and the platform's schema before submitting anything, runs
 * every item × variant × seed through the gateway, then prints the table and writes results.md,
 * results.csv and items.csv under `options.out`.
 */
export async function runEval(options: EvalOptions, io: EvalIo = processIo): Promise<EvalReport> {
  const dataset = await loadDataset(options.dataset);
  const client = new GatewayClient(options.gateway, io.fetch, options.apiKey);
  const {
    fields: served,
    models: readModels,
    provenance,
    scoreImages,
  } = await client.availableMetricFields();
  const missingMetrics = PAPER_METRIC_FIELDS.filter((f) => !served.includes(f));
  if (missingMetrics.length > 0 && !options.allowMissingMetrics)
    throw new PlatformError(
      `the platform at ${options.gateway} does not serve FrameMetrics.${missingMetrics.join(', FrameMetrics.')}, ` +
        `which the paper's tables are made of (its metrics service predates the learned metrics). ` +
        `Run against a platform that measures them, or pass --allow-missing-metrics to report them as n/a.`,
    );
  const variants = variantsFor(options.ablation, options.bestByVlm ? options.seeds : null);
  const withGt = dataset.items.filter((i) => i.groundTruth !== null).length;
  const total = dataset.items.length * variants.length * options.seeds;
  io.stderr(
    `eval: ${dataset.items.length} items (${withGt} with ground truth) × ${variants.map((v) => v.name).join(', ')} × ` +
      `${options.seeds} seed(s) = ${total} edits against ${options.gateway}\n`,
  );
  const results = await runEvaluation(
    client,
    dataset,
    {
      variants,
      seeds: options.seeds,
      firstSeed: options.firstSeed,
      concurrency: options.concurrency,
      timeoutMs: options.timeoutS * 1000,
      candidates: options.candidates,
      outputSize: options.outputSize,
      servedFields: served,
      readModels,
      readProvenance: provenance,
      rescore: scoreImages,
      pollMs: io.pollMs,
    },
    io.clock ?? systemClock,
    (r, done, all) =>
      io.stderr(
        `eval: [${done}/${all}] ${r.variant} ${r.itemId} seed ${r.seed}: ${r.outcome}` +
          `${r.selectedIndex !== null ? ` (frame ${r.selectedIndex})` : ''}` +
          `${r.failureCode ? ` ${r.failureCode}: ${r.failureReason}` : ''}\n`,
      ),
  );
  const summary = summarize(
    results,
    variants,
    { items: dataset.items.length, itemsWithGroundTruth: withGt },
    options.seeds,
  );
  const files = {
    markdown: path.join(options.out, 'results.md'),
    resultsCsv: path.join(options.out, 'results.csv'),
    itemsCsv: path.join(options.out, 'items.csv'),
  };
  await mkdir(options.out, { recursive: true });
  // items.csv (every edit with its provenance) is written even when rows are refused.
  await writeFile(files.itemsCsv, renderItemsCsv(results));
  if (!options.allowStandIns) {
    try {
      refuseStandIns(summary);
    } catch (error) {
      io.stderr(`eval: wrote ${files.itemsCsv} (every edit with how it was made)\n`);
      throw error;
    }
  }
  const markdown = renderMarkdown(summary, { missingMetrics });
  await Promise.all([
    writeFile(files.markdown, markdown),
    writeFile(files.resultsCsv, renderResultsCsv(summary)),
  ]);
  io.stdout(markdown);
  io.stderr(`eval: wrote ${files.markdown}, ${files.resultsCsv}, ${files.itemsCsv}\n`);
  return { options, dataset, results, summary, markdown, missingMetrics, files };
}

/**
 * The command line: exit 0 when every edit completed, 1 when the table was written but some edits
 * did not complete (they are listed), 2 for a bad command line, dataset or platform (nothing was
 * submitted), or when rows made with stand-ins were refused (edits ran; items.csv says how each was made).
 */
export async function main(argv: string[], io: EvalIo = processIo): Promise<number> {
  try {
    if (argv[0] === 'score') return await runScore(argv.slice(1), io);
    const options = parseOptions(argv);
    if (options.help) {
      io.stdout(USAGE);
      return 0;
    }
    const report = await runEval(options, io);
    return report.summary.failures.length > 0 ? 1 : 0;
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`eval: ${error.message}\n\n${USAGE}`);
      return 2;
    }
    if (
      error instanceof DatasetError ||
      error instanceof GatewayError ||
      error instanceof PlatformError ||
      error instanceof StandInError ||
      error instanceof ScoreError
    ) {
      io.stderr(`eval: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}
