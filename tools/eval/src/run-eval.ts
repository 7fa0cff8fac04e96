import type { Dataset, DatasetItem } from './dataset';
import { type EditView, GatewayClient, GatewayError, GraphqlRequestError, TERMINAL } from './gateway-client';
import type { MetricField, RunResult } from './model';
import { resultFromEdit } from './results';
import type { Variant } from './variants';

export interface RunSettings {
  variants: Variant[];
  seeds: number;
  firstSeed: number;
  concurrency: number;
  timeoutMs: number;
  candidates: number;
  outputSize: number;
  servedFields: readonly MetricField[];
  /** Whether to read FrameMetrics.models (the model set) too. */
  readModels?: boolean;
  /** Whether to read how each edit was made (generator, caption, selection). */
  readProvenance?: boolean;
  /** Whether to re-score each result with the platform's scoreImages (512×512, both LPIPS ranges). */
  rescore?: boolean;
  pollMs?: number;
}

export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

interface Task {
  item: DatasetItem;
  variant: Variant;
  seed: number;
}

/** Reads of a terminal edit's result before a transient gateway fault counts as a failure. */
const READ_ATTEMPTS = 3;

const isTransient = (error: GatewayError | GraphqlRequestError): boolean =>
  error instanceof GatewayError || error.code === 'INTERNAL_SERVER_ERROR' || /^HTTP_5\d\d$/.test(error.code);

/** Every item × variant × seed, in a stable order (variant, item, seed). */
export function planTasks(
  dataset: Dataset,
  settings: Pick<RunSettings, 'variants' | 'seeds' | 'firstSeed'>,
): Task[] {
  const tasks: Task[] = [];
  for (const variant of settings.variants) {
    // A variant whose candidates are the seeds runs once per item.
    const seeds = variant.candidates === undefined ? settings.seeds : 1;
    for (const item of dataset.items)
      for (let s = 0; s < seeds; s++) tasks.push({ item, variant, seed: settings.firstSeed + s });
  }
  return tasks;
}

function unfinished(
  task: Task,
  editId: string | null,
  status: string,
  code: string,
  reason: string,
  ms: number,
): RunResult {
  return {
    itemId: task.item.id,
    variant: task.variant.name,
    seed: task.seed,
    hasGroundTruth: task.item.groundTruth !== null,
    editId,
    status,
    outcome: status === 'TIMEOUT' ? 'TIMEOUT' : 'REJECTED',
    selectedCandidate: null,
    selectedIndex: null,
    frameCount: null,
    metrics: null,
    failureCode: code,
    failureReason: reason,
    durationMs: ms,
  };
}

/** Transient trouble while polling (a gateway restart) is retried until the edit's deadline. */
async function poll(
  client: GatewayClient,
  id: string,
  deadline: number,
  settings: RunSettings,
  clock: Clock,
) {
  let last = 'SUBMITTED';
  let lastError = '';
  while (clock.now() < deadline) {
    try {
      const status = await client.editStatus(id);
      if (status === null) return { status: 'MISSING', lastError: 'the gateway no longer knows this edit' };
      last = status;
      if (TERMINAL.has(status)) return { status, lastError };
    } catch (error) {
      if (!(error instanceof GatewayError || error instanceof GraphqlRequestError)) throw error;
      lastError = error.message;
    }
    await clock.sleep(settings.pollMs ?? 1000);
  }
  return { status: 'TIMEOUT', last, lastError };
}

async function runTask(
  client: GatewayClient,
  task: Task,
  settings: RunSettings,
  clock: Clock,
): Promise<RunResult> {
  const started = clock.now();
  const elapsed = () => clock.now() - started;
  let id: string;
  try {
    id = await client.createEdit({
      imageBase64: task.item.source.toString('base64'),
      targetCaption: task.item.targetCaption,
      groundTruthBase64: task.item.groundTruth?.toString('base64') ?? null,
      options: {
        captionMode: task.variant.captionMode,
        selection: task.variant.selection,
        seed: task.seed,
        // "Best of N seeds by the VLM": one edit of N candidates, the VLM choosing across them.
        candidates: task.variant.candidates ?? settings.candidates,
        outputWidth: settings.outputSize,
        outputHeight: settings.outputSize,
      },
    });
  } catch (error) {
    if (error instanceof GraphqlRequestError)
      return unfinished(
        task,
        null,
        'REJECTED',
        error.code,
        `createEdit refused: ${error.message}`,
        elapsed(),
      );
    if (error instanceof GatewayError)
      return unfinished(task, null, 'REJECTED', 'GATEWAY', error.message, elapsed());
    throw error;
  }
  const polled = await poll(client, id, started + settings.timeoutMs, settings, clock);
  if (polled.status === 'TIMEOUT' || polled.status === 'MISSING') {
    // Best effort: an edit past its deadline should not keep a GPU busy.
    if (polled.status === 'TIMEOUT') await client.cancelEdit(id).catch(() => undefined);
    const reason =
      polled.status === 'MISSING'
        ? polled.lastError
        : `still ${polled.last} after ${Math.round(settings.timeoutMs / 1000)} s${polled.lastError ? ` (last error: ${polled.lastError})` : ''}`;
    return unfinished(
      task,
      id,
      'TIMEOUT',
      polled.status === 'MISSING' ? 'EDIT_MISSING' : 'TIMEOUT',
      reason,
      elapsed(),
    );
  }
  let edit: EditView | null = null;
  for (let attempt = 1; ; attempt++) {
    try {
      edit = await client.editResult(
        id,
        settings.servedFields,
        settings.readModels ?? false,
        settings.readProvenance ?? false,
      );
      break;
    } catch (error) {
      if (!(error instanceof GatewayError || error instanceof GraphqlRequestError)) throw error;
      // A transient fault between the gateway and a subgraph (e.g. a reset keep-alive connection)
      // is read again; a request the schema refuses is not.
      if (attempt < READ_ATTEMPTS && isTransient(error)) {
        await clock.sleep((settings.pollMs ?? 1000) * attempt);
        continue;
      }
      const code = error instanceof GraphqlRequestError ? error.code : 'GATEWAY';
      const tries = attempt > 1 ? ` (${attempt} attempts)` : '';
      return unfinished(
        task,
        id,
        'REJECTED',
        code,
        `reading the result failed${tries}: ${error.message}`,
        elapsed(),
      );
    }
  }
  if (edit === null)
    return unfinished(
      task,
      id,
      'REJECTED',
      'EDIT_MISSING',
      'the gateway no longer knows this edit',
      elapsed(),
    );
  const result = resultFromEdit(edit, {
    itemId: task.item.id,
    variant: task.variant.name,
    seed: task.seed,
    hasGroundTruth: task.item.groundTruth !== null,
    servedFields: settings.servedFields,
    durationMs: elapsed(),
  });
  if (settings.rescore && result.metrics) await rescore(client, id, task, result);
  result.durationMs = elapsed();
  return result;
}

/**
 * The protocol's LPIPS of a completed result: the platform's scoreImages on the stored result,
 * source and ground truth (512×512; [-1, 1] and [0, 1] inputs). A result that cannot be scored is
 * a failure (SCORING_FAILED), never a silent mix of sizes.
 */
async function rescore(client: GatewayClient, id: string, task: Task, result: RunResult): Promise<void> {
  try {
    const images = await client.resultImages(id);
    if (images === null) throw new Error('the edit has no result image');
    const scored = await client.scoreImage(images, task.item.targetCaption);
    const s = scored.scores[0]!;
    const withGt = task.item.groundTruth !== null;
    Object.assign(result.metrics!, {
      sourceLpips: s.lpips,
      sourceLpipsPaperRange: s.lpipsPaperRange,
      targetLpips: withGt ? s.targetLpips : null,
      targetLpipsPaperRange: withGt ? s.targetLpipsPaperRange : null,
      lpipsSize: scored.lpipsSize,
    });
  } catch (error) {
    if (!(error instanceof GatewayError || error instanceof GraphqlRequestError || error instanceof Error))
      throw error;
    result.outcome = 'FAILED';
    result.metrics = null;
    result.failureCode = error instanceof GraphqlRequestError ? error.code : 'SCORING_FAILED';
    result.failureReason = `scoring the result at 512x512 failed: ${error.message}`;
  }
}

/**
 * Runs every task with at most `concurrency` edits in flight and returns one result per task, in
 * plan order; `onResult` hears each as it finishes (progress on stderr).
 */
export async function runEvaluation(
  client: GatewayClient,
  dataset: Dataset,
  settings: RunSettings,
  clock: Clock = systemClock,
  onResult: (result: RunResult, done: number, total: number) => void = () => undefined,
): Promise<RunResult[]> {
  const tasks = planTasks(dataset, settings);
  const results: RunResult[] = new Array(tasks.length);
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const i = next++;
      results[i] = await runTask(client, tasks[i]!, settings, clock);
      onResult(results[i]!, ++done, tasks.length);
    }
  };
  await Promise.all(Array.from({ length: Math.min(settings.concurrency, tasks.length) }, worker));
  return results;
}
