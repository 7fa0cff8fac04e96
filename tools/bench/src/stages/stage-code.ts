import {
  buildCollage,
  collageFrameIndices,
  decodeRgba,
  letterbox,
  psnr,
  SsimReference,
  toSsimImage,
} from '@f2f/imaging';
import { LearnedMetrics, prepareImage } from '@f2f/learned-metrics';
import { REPO_ROOT } from '@f2f/launcher';
import {
  askFrameSelection,
  templateTemporalCaption,
  type VisionLanguageModel,
  type VlmCallRecord,
} from '@f2f/vlm';
import path from 'node:path';

/**
 * The CPU stages of an edit, as the services run them but without Kafka, the database or blob
 * storage: the same library code (@f2f/vlm, @f2f/imaging, @f2f/learned-metrics) on frames in memory.
 */

/** The metric models the test platform's metrics service loads (DEFAULT_METRIC_MODELS_DIR). */
export const TINY_MODELS_DIR = path.join(REPO_ROOT, 'libs/learned-metrics/fixtures/tiny-models');

/** Frames per batch, as the metrics service's METRIC_BATCH_SIZE default. */
const BATCH = 7;

export interface GeneratedFrame {
  index: number;
  png: Buffer;
}

/** Captioning with the template (no VLM): the caption stage's own work. */
export function caption(targetCaption: string): string {
  return templateTemporalCaption(targetCaption);
}

export interface MetricsSummary {
  frames: number;
  meanSsim: number;
  meanLpips: number | null;
}

/**
 * Every frame against the source at the frames' size: SSIM and PSNR, then LPIPS, CLIP-I and the
 * CLIP score through the networks, a batch at a time (measure-frames.use-case without its threads).
 */
export async function measure(
  learned: LearnedMetrics | null,
  source: Buffer,
  frames: GeneratedFrame[],
  width: number,
  height: number,
  targetCaption: string,
): Promise<MetricsSummary> {
  const reference = await decodeRgba(await letterbox(source, width, height));
  const ssim = new SsimReference(toSsimImage(reference));
  const learnedRefs = learned
    ? { source: await learned.reference(reference), text: await learned.textEmbedding(targetCaption) }
    : null;
  let ssimSum = 0;
  let lpipsSum = 0;
  for (let start = 0; start < frames.length; start += BATCH) {
    const batch = frames.slice(start, start + BATCH);
    const work = await Promise.all(
      batch.map(async (f) => {
        const pixels = await decodeRgba(f.png, width, height);
        return {
          prepared: learned ? prepareImage(pixels, learned.lpipsSize) : null,
          ssim: ssim.compare(toSsimImage(pixels)),
          psnr: psnr(reference, pixels),
        };
      }),
    );
    for (const w of work) ssimSum += w.ssim;
    if (learned && learnedRefs) {
      const scores = await learned.measurePrepared(
        work.map((w) => w.prepared!),
        learnedRefs.source,
        learnedRefs.text,
        null,
      );
      for (const s of scores) lpipsSum += s.lpips;
    }
  }
  return {
    frames: frames.length,
    meanSsim: ssimSum / frames.length,
    meanLpips: learned ? lpipsSum / frames.length : null,
  };
}

/** The collage of every fourth frame under the source, then the VLM's pick (select-frame.use-case). */
export async function select(
  vlm: VisionLanguageModel | null,
  source: Buffer,
  frames: GeneratedFrame[],
  targetCaption: string,
): Promise<number> {
  const path = [...frames].sort((a, b) => a.index - b.index);
  const shown = collageFrameIndices(path.length).map((i) => path[i]);
  const collage = await buildCollage(
    source,
    shown.map((f) => f.png),
  );
  if (!vlm) return path[path.length - 1].index;
  const calls: VlmCallRecord[] = [];
  const answer = await askFrameSelection(vlm, targetCaption, collage, shown.length, calls);
  if (!answer.ok) throw new Error(`the VLM's answer could not be read: ${answer.problem}`);
  return answer.value === 0 ? -1 : shown[answer.value - 1].index;
}

/** The learned metrics as the test platform's metrics service loads them. */
export function loadLearnedMetrics(threads = 2): Promise<LearnedMetrics> {
  return LearnedMetrics.load({ modelDir: TINY_MODELS_DIR, threads });
}
