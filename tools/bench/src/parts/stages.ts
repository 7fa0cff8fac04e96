import { renderTable } from '@f2f/harness';
import { VIDEO_HEIGHT, VIDEO_WIDTH } from '@f2f/imaging';

import { FixedLatencyVlm } from '../overhead/fake-vlm';
import type { BenchContext, BenchPart, PartResult, TargetRow } from '../part';
import { editsPerMinute, gpuWorkersKeptBusy, runInProcesses } from '../stages/pool';
import type { StageName } from '../stages/worker';

/** CogVideoX-5B I2V's time per video (its model card): 90 s on an H100, 180 s on an A100. */
const GPU_SECONDS = { H100: 90, A100: 180 } as const;
const STAGES: StageName[] = ['captioning', 'selection', 'metrics'];
/** The platform's default path: 49 frames; the quick run checks the stages with fewer. */
const FRAMES = 49;
const QUICK_FRAMES = 13;

export const stages: BenchPart = {
  id: 'stages',
  title: 'CPU stage throughput',
  summary: 'edits per minute that captioning, selection and metrics sustain per core',
  run: runStages,
};

interface Measured {
  stage: StageName;
  one: number;
  two: number;
}

async function runStages(ctx: BenchContext): Promise<PartResult> {
  const durationMs = ctx.quick ? 1_500 : 15_000;
  const frames = ctx.quick ? QUICK_FRAMES : FRAMES;
  // The VLM answers at once: what is measured is the stage's own CPU work (collage, request).
  const vlm = new FixedLatencyVlm(0);
  await vlm.start();
  const measured: Measured[] = [];
  try {
    for (const stage of STAGES) {
      const job = {
        stage,
        durationMs,
        frames,
        width: VIDEO_WIDTH,
        height: VIDEO_HEIGHT,
        vlmBaseUrl: vlm.baseUrl,
        targetCaption: 'A photo of a sitting dog.',
      };
      const one = editsPerMinute(await runInProcesses(job, 1));
      const two = editsPerMinute(await runInProcesses(job, 2));
      ctx.log(`${stage}: ${one.toFixed(1)} edits/min in one process, ${two.toFixed(1)} in two`);
      measured.push({ stage, one, two });
    }
  } finally {
    await vlm.stop();
  }
  return report(measured, durationMs, frames);
}

const rate = (v: number) => (v >= 1000 ? v.toExponential(2) : v.toFixed(1));

function report(measured: Measured[], durationMs: number, frames: number): PartResult {
  const busy = (perMin: number) =>
    `${gpuWorkersKeptBusy(perMin, GPU_SECONDS.H100).toFixed(1)} H100 / ${gpuWorkersKeptBusy(perMin, GPU_SECONDS.A100).toFixed(1)} A100`;
  const rows = measured.map((m) => [
    m.stage,
    rate(m.one),
    rate(m.two),
    `${(m.two / m.one).toFixed(2)}×`,
    busy(m.two),
  ]);
  const bottleneck = measured.reduce((a, b) => (b.two < a.two ? b : a));
  const targets: TargetRow[] = [
    ...measured.map((m) => ({
      name: `${m.stage}: edits/min on 2 cores (1 core)`,
      measured: `${rate(m.two)} (${rate(m.one)})`,
      target: 'reported',
    })),
    {
      name: `GPU workers one 2-core replica keeps busy (the slowest stage, ${bottleneck.stage})`,
      measured: busy(bottleneck.two),
      target: 'reported',
    },
  ];
  const markdown = [
    `Method: each stage's own code (tools/bench/src/stages/stage-code.ts: the template caption; the ` +
      `collage of every fourth frame, the paper's prompt and the answer's parsing against an OpenAI-compatible ` +
      `double that answers at once; SSIM, PSNR and the learned metrics with the test platform's tiny models) on ` +
      `one edit after another, ${frames} frames of ${VIDEO_WIDTH}×${VIDEO_HEIGHT} PNG, for ${durationMs / 1000} s ` +
      `after a warm-up, in one child process (libvips and ONNX Runtime held to one thread: one core) and in two ` +
      `at once (both cores). Without Kafka, the database or blob storage (their share is in the overhead part). ` +
      `A GPU makes 60 / 90 = 0.67 CogVideoX-5B I2V videos a minute on an H100 and 0.33 on an A100 (its model ` +
      `card), so a replica keeps (edits/min on 2 cores) ÷ that many GPU workers busy. The machine is shared: ` +
      `absolute rates are noise-prone; the scaling column says whether the second core helps.`,
    '',
    renderTable(
      ['stage', 'edits/min, 1 process', 'edits/min, 2 processes', '2 ÷ 1', 'GPU workers kept busy (2 cores)'],
      rows,
    ),
    '',
    `The slowest stage is ${bottleneck.stage}: one 2-core replica of it keeps about ` +
      `${busy(bottleneck.two)} GPU workers busy. Captioning with a real VLM waits on the model, not the CPU; ` +
      `selection's figure excludes the VLM's own latency (calls in flight overlap, so it bounds nothing on the CPU). ` +
      `The metrics figure is with the test platform's tiny random-weight networks: the real CLIP and LPIPS ` +
      `networks (tools/metric-models) cost more per frame, so it is an upper bound for production.`,
  ].join('\n');
  return { targets, markdown, figures: { durationMs, frames, measured } };
}
