import { OpenAiCompatibleVlm } from '@f2f/vlm';
import sharp from 'sharp';

import { stageInputs } from './inputs';
import { caption, loadLearnedMetrics, measure, select } from './stage-code';

export type StageName = 'captioning' | 'selection' | 'metrics';

export interface StageJob {
  stage: StageName;
  durationMs: number;
  frames: number;
  width: number;
  height: number;
  vlmBaseUrl: string;
  targetCaption: string;
}

export interface StageCount {
  edits: number;
  ms: number;
}

/**
 * Runs one stage's work on one edit after another for the job's time, on one core's worth of
 * threads (libvips and ONNX Runtime held to one thread each); how many edits it finished.
 */
export async function runStage(job: StageJob): Promise<StageCount> {
  sharp.concurrency(1);
  const { source, frames } = await stageInputs(job.frames, job.width, job.height);
  const learned = job.stage === 'metrics' ? await loadLearnedMetrics(1) : null;
  const vlm = new OpenAiCompatibleVlm({
    baseUrl: job.vlmBaseUrl,
    model: 'bench-vlm',
    timeoutMs: 30_000,
    maxRetries: 0,
  });
  const once = async (): Promise<void> => {
    if (job.stage === 'captioning') caption(`${job.targetCaption} ${Math.random()}`);
    else if (job.stage === 'selection') await select(vlm, source, frames, job.targetCaption);
    else await measure(learned, source, frames, job.width, job.height, job.targetCaption);
  };
  await once(); // warm-up
  const started = performance.now();
  let edits = 0;
  while (performance.now() - started < job.durationMs) {
    // Captions take microseconds: a thousand at a time keeps the clock out of the figure.
    const batch = job.stage === 'captioning' ? 1000 : 1;
    for (let i = 0; i < batch; i++) await once();
    edits += batch;
  }
  return { edits, ms: performance.now() - started };
}

// As a child process (stages/pool.ts): one job from the parent, the count back.
if (require.main === module && process.send) {
  process.once('message', (job: StageJob) => {
    runStage(job).then(
      (count) => process.send!({ ok: true, count }, () => process.exit(0)),
      (error: unknown) =>
        process.send!({ ok: false, error: String(error instanceof Error ? error.stack : error) }, () =>
          process.exit(1),
        ),
    );
  });
}
