import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { summarize, type Summary } from './aggregate';
import { type Dataset, DatasetError, loadDataset } from './dataset';
import { GatewayClient, GatewayError } from './gateway-client';
import { type MetricField, PAPER_METRIC_FIELDS, type RunResult } from './model';
import { type EvalOptions, parseOptions, UsageError, USAGE } from './options';
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
  const { fields: served, models: readModels } = await client.availableMetricFields();
  const missingMetrics = PAPER_METRIC_FIELDS.filter((f) => !served.includes(f));
  if (missingMetrics.length > 0 && !options.allowMissingMetrics)
    throw new PlatformError(
      `the platform at ${options.gateway} does not serve FrameMetrics.${missingMetrics.join(', FrameMetrics.')}, ` +
        `which the paper's tables are made of (its metrics service predates the learned metrics). ` +
        `Run against a platform that measures them, or pass --allow-missing-metrics to report them as n/a.`,
    );
  const variants = variantsFor(options.ablation);
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
  const markdown = renderMarkdown(summary, { missingMetrics });
  const files = {
    markdown: path.join(options.out, 'results.md'),
    resultsCsv: path.join(options.out, 'results.csv'),
    itemsCsv: path.join(options.out, 'items.csv'),
  };
  await mkdir(options.out, { recursive: true });
  await Promise.all([
    writeFile(files.markdown, markdown),
    writeFile(files.resultsCsv, renderResultsCsv(summary)),
    writeFile(files.itemsCsv, renderItemsCsv(results)),
  ]);
  io.stdout(markdown);
  io.stderr(`eval: wrote ${files.markdown}, ${files.resultsCsv}, ${files.itemsCsv}\n`);
  return { options, dataset, results, summary, markdown, missingMetrics, files };
}

/**
 * The command line: exit 0 when every edit completed, 1 when the table was written but some edits
 * did not complete (they are listed), 2 for a bad command line, dataset or platform (nothing was
 * submitted).
 */
export async function main(argv: string[], io: EvalIo = processIo): Promise<number> {
  try {
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
    if (error instanceof DatasetError || error instanceof GatewayError || error instanceof PlatformError) {
      io.stderr(`eval: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}
