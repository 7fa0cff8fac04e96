import type { LearnedMetrics } from '@f2f/learned-metrics';
import type { VisionLanguageModel } from '@f2f/vlm';

import { caption, measure, select } from '../stages/stage-code';

import { generateOverGrpc } from './generator';

export interface BareSettings {
  generatorAddress: string;
  frames: number;
  steps: number;
  width: number;
  height: number;
  targetCaption: string;
}

/** The segments of one bare edit, in ms. */
export interface BareRun {
  ms: number;
  captionMs: number;
  generateMs: number;
  /** Metrics and selection run side by side, as the two services do after video.generated. */
  measureMs: number;
  selectMs: number;
}

/**
 * The same edit without the platform, in one process: the template caption, the video from the
 * same preview generator over gRPC, then metrics and the VLM's selection at once.
 */
export async function runBareEdit(
  settings: BareSettings,
  source: Buffer,
  seed: number,
  learned: LearnedMetrics | null,
  vlm: VisionLanguageModel,
): Promise<BareRun> {
  const started = performance.now();
  const prompt = caption(settings.targetCaption);
  const captioned = performance.now();
  const frames = await generateOverGrpc(settings.generatorAddress, {
    image: source,
    prompt,
    frames: settings.frames,
    steps: settings.steps,
    seed,
    width: settings.width,
    height: settings.height,
  });
  if (frames.length !== settings.frames)
    throw new Error(`the generator sent ${frames.length} frames, not ${settings.frames}`);
  const generated = performance.now();
  const timed = async (work: Promise<unknown>) => {
    await work;
    return performance.now() - generated;
  };
  const [measureMs, selectMs] = await Promise.all([
    timed(measure(learned, source, frames, settings.width, settings.height, settings.targetCaption)),
    timed(select(vlm, source, frames, settings.targetCaption)),
  ]);
  return {
    ms: performance.now() - started,
    captionMs: captioned - started,
    generateMs: generated - captioned,
    measureMs,
    selectMs,
  };
}
