import { z } from 'zod';

import { EDIT_STATUSES } from './edit-status';
import { Topic } from './topics';

export const SELECTION_POLICIES = ['vlm', 'last-frame', 'metric'] as const;
export type SelectionPolicy = (typeof SELECTION_POLICIES)[number];

/** Generation options; the defaults are the paper's (CogVideoX-5B-I2V, section 5.1). */
/** The largest side of an edit's frames a client may ask for (outputWidth/outputHeight). */
export const MAX_OUTPUT_SIDE = 4096;
/** The largest side of an edit's frames when the client asks for no size (the source's, scaled down). */
export const DEFAULT_OUTPUT_MAX_SIDE = 2048;

export const generationOptionsSchema = z
  .strictObject({
    model: z.string().min(1).max(100).default('preview'),
    frames: z.number().int().min(2).max(257).default(49),
    steps: z.number().int().min(1).max(500).default(50),
    guidance: z.number().min(0).max(50).default(6.0),
    fps: z.number().int().min(1).max(60).default(8),
    /** The first candidate's seed; candidate k uses seed + k. */
    seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 31 - 9),
    /** The paper's temporal editing caption (3.1), or the target caption as it is (ablation, Table S4). */
    captionMode: z.enum(['temporal', 'target']).default('temporal'),
    /**
     * How the edited frame is chosen: a VLM over a collage (paper 3.3), the last frame (ablation,
     * Table S5), or the metric policy (the earliest frame whose CLIP score reaches the path's
     * plateau while its LPIPS to the source stays under a bound).
     */
    selection: z.enum(SELECTION_POLICIES).default('vlm'),
    /** Videos generated from different seeds, fanned out across the GPU pool. */
    candidates: z.number().int().min(1).max(8).default(1),
    /**
     * Size of the edited frames (512×512 in the paper's benchmarks); when absent, the source's size
     * scaled down to fit DEFAULT_OUTPUT_MAX_SIDE (outputSize()).
     */
    outputWidth: z.number().int().min(16).max(MAX_OUTPUT_SIDE).nullable().default(null),
    outputHeight: z.number().int().min(16).max(MAX_OUTPUT_SIDE).nullable().default(null),
  })
  .refine((o) => (o.outputWidth === null) === (o.outputHeight === null), {
    message: 'outputWidth and outputHeight go together',
    path: ['outputWidth'],
  });
export type GenerationOptions = z.infer<typeof generationOptionsSchema>;

/**
 * The size of an edit's frames: the one asked for, else the source's, scaled down (aspect kept) to
 * fit DEFAULT_OUTPUT_MAX_SIDE: a 720×480 video is never blown up to a 40-megapixel source's size
 * unasked, and every stage's memory stays bounded.
 */
export function outputSize(
  options: Pick<GenerationOptions, 'outputWidth' | 'outputHeight'>,
  source: { width: number; height: number },
): { width: number; height: number } {
  if (options.outputWidth !== null && options.outputHeight !== null)
    return { width: options.outputWidth, height: options.outputHeight };
  const scale = Math.min(1, DEFAULT_OUTPUT_MAX_SIDE / Math.max(source.width, source.height));
  return {
    width: Math.max(1, Math.round(source.width * scale)),
    height: Math.max(1, Math.round(source.height * scale)),
  };
}

const blobKey = z.string().min(1).max(1024);
/** A ground-truth target image (the PosEdit protocol): metrics then also compare every frame to it. */
const groundTruthKey = blobKey.nullable().default(null);
const caption = z.string().min(1).max(2000);

/** One frame's metrics against the source (and the ground truth, when the edit has one). */
export const frameMetricsSchema = z.strictObject({
  candidate: z.number().int().min(0),
  index: z.number().int().min(0),
  frameId: z.uuid(),
  ssim: z.number(),
  psnr: z.number(),
  lpips: z.number().nullable(),
  clipI: z.number().nullable(),
  /** CLIPScore (Hessel et al. 2021): 2.5 · max(cos, 0) of the frame's CLIP image and the caption's text embedding. */
  clipScore: z.number().nullable(),
  /** The raw image–text cosine behind clipScore; absent in events published before it existed. */
  clipCosine: z.number().nullable().optional(),
  targetLpips: z.number().nullable(),
  targetClipI: z.number().nullable(),
});
export type FrameMetrics = z.infer<typeof frameMetricsSchema>;

/**
 * A stored frame, as video-generation announces it. The edits service owns the frames table and
 * records every frame from these announcements (video.progress, then video.generated); the fields
 * after blobKey are optional only so that events published before they existed still validate.
 */
const frameRef = z.strictObject({
  candidate: z.number().int().min(0),
  index: z.number().int().min(0),
  frameId: z.uuid(),
  blobKey,
  /** The frame as the generator made it (before cropping back to the source's region). */
  rawBlobKey: blobKey.optional(),
  /**
   * The frame's lossless copy (PNG) when frames are stored lossy (FRAME_FORMAT webp/avif): metrics
   * and selection read it, so that scores and the VLM's collage see the generated pixels. Absent
   * when the frame itself is lossless.
   */
  losslessBlobKey: blobKey.optional(),
  seed: z.number().int().min(0).optional(),
  width: z.number().int().positive().optional(),
  height: z.number().int().positive().optional(),
  bytes: z.number().int().min(0).optional(),
  sha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .optional(),
});
export type FrameRef = z.infer<typeof frameRef>;

/**
 * What the vision-language model calls of one stage cost (captioning, selection), so that the edits
 * service can keep usage analytics from the events alone. Zero calls: the stage used no VLM.
 */
export const vlmUsageSchema = z.strictObject({
  calls: z.number().int().min(0),
  promptTokens: z.number().int().min(0),
  completionTokens: z.number().int().min(0),
  latencyMs: z.number().int().min(0),
  /** The model the calls went to; null without calls. */
  model: z.string().max(200).nullable(),
});
export type VlmUsage = z.infer<typeof vlmUsageSchema>;
/** A stage that made no VLM call (and events published before usage was announced). */
export const NO_VLM_USAGE: VlmUsage = {
  calls: 0,
  promptTokens: 0,
  completionTokens: 0,
  latencyMs: 0,
  model: null,
};

/** The usage of a stage's VLM calls, summed (failed and retried calls count: they were paid for). */
export function vlmUsageOf(
  calls: readonly { model: string; latencyMs: number; promptTokens: number; completionTokens: number }[],
): VlmUsage {
  if (calls.length === 0) return NO_VLM_USAGE;
  const sum = (k: 'latencyMs' | 'promptTokens' | 'completionTokens') =>
    calls.reduce((s, c) => s + Math.max(0, Math.round(c[k])), 0);
  return {
    calls: calls.length,
    promptTokens: sum('promptTokens'),
    completionTokens: sum('completionTokens'),
    latencyMs: sum('latencyMs'),
    model: calls[calls.length - 1].model.slice(0, 200),
  };
}

/**
 * One entry of an edit's live feed, in domain terms: what happened (the history entry's type, at
 * its sequence number) and the edit's status after it, with the details clients show. The edits
 * service derives it from its history, for edit.status and for replay, with one function.
 */
export const editUpdateSchema = z.strictObject({
  seq: z.number().int().min(1),
  type: z.string().min(1),
  status: z.enum(EDIT_STATUSES),
  occurredAt: z.string(),
  temporalCaption: z.string().nullable().default(null),
  captionProvenance: z.string().nullable().default(null),
  candidate: z.number().int().min(0).nullable().default(null),
  step: z.number().int().min(0).nullable().default(null),
  totalSteps: z.number().int().min(1).nullable().default(null),
  framesReady: z.number().int().min(0).nullable().default(null),
  totalFrames: z.number().int().min(1).nullable().default(null),
  /** Frames that landed with this entry. */
  frames: z
    .array(
      z.strictObject({
        candidate: z.number().int().min(0),
        index: z.number().int().min(0),
        frameId: z.uuid(),
      }),
    )
    .default([]),
  selection: z
    .strictObject({
      candidate: z.number().int().min(0).nullable(),
      frameIndex: z.number().int().min(0).nullable(),
      policy: z.string(),
      reason: z.string(),
    })
    .nullable()
    .default(null),
  metricsMean: z.record(z.string(), z.number()).nullable().default(null),
  failure: z.strictObject({ code: z.string(), reason: z.string() }).nullable().default(null),
  /** Its position in the tenant's feed (encodeFeedCursor), for resuming editsUpdated. */
  cursor: z.string().nullable().default(null),
});
export type EditUpdate = z.infer<typeof editUpdateSchema>;

/** One payload schema per event type. A change that breaks readers bumps `schemaVersion`. */
export const eventPayloadSchemas = {
  [Topic.EditRequested]: z.strictObject({
    targetCaption: caption,
    sourceKey: blobKey,
    sourceWidth: z.number().int().positive(),
    sourceHeight: z.number().int().positive(),
    groundTruthKey,
    options: generationOptionsSchema,
  }),
  [Topic.EditStatus]: z.strictObject({
    status: z.enum(EDIT_STATUSES),
    previousStatus: z.enum(EDIT_STATUSES).nullable(),
    seq: z.number().int().min(1),
    cause: z.string(),
    /** The history entry this event announces (every entry is announced, status change or not). */
    update: editUpdateSchema.nullable().default(null),
  }),
  [Topic.CaptionCompleted]: z.strictObject({
    temporalCaption: caption,
    provenance: z.enum(['template', 'vlm', 'target']),
    /** The VLM calls writing the caption took (an invalid answer is retried). */
    usage: vlmUsageSchema.optional(),
    targetCaption: caption,
    sourceKey: blobKey,
    sourceWidth: z.number().int().positive(),
    sourceHeight: z.number().int().positive(),
    groundTruthKey,
    options: generationOptionsSchema,
  }),
  [Topic.VideoProgress]: z.strictObject({
    candidate: z.number().int().min(0),
    /** The GPU worker running this candidate now. */
    worker: z.string(),
    phase: z.enum(['denoising', 'frames']),
    step: z.number().int().min(0),
    totalSteps: z.number().int().min(1),
    framesReady: z.number().int().min(0),
    totalFrames: z.number().int().min(1),
    /** The frames stored since this candidate's previous progress event (each frame is announced once). */
    frames: z.array(frameRef).default([]),
  }),
  [Topic.VideoGenerated]: z.strictObject({
    targetCaption: caption,
    temporalCaption: caption,
    sourceKey: blobKey,
    groundTruthKey,
    model: z.string(),
    generator: z.string(),
    /** Size of the stored (cropped back) frames. */
    width: z.number().int().positive(),
    height: z.number().int().positive(),
    candidates: z
      .array(
        z.strictObject({
          candidate: z.number().int().min(0),
          seed: z.number().int().min(0),
          computeSeconds: z.number().min(0),
          worker: z.string(),
          attempts: z.number().int().min(1),
        }),
      )
      .min(1),
    frames: z.array(frameRef).min(1),
    computeSeconds: z.number().min(0),
    selection: z.enum(SELECTION_POLICIES),
  }),
  [Topic.FrameSelected]: z.strictObject({
    /** Null when no frame fulfils the edit: the result is the source image (paper C.1, "image 0"). */
    candidate: z.number().int().min(0).nullable(),
    frameIndex: z.number().int().min(0).nullable(),
    frameId: z.uuid().nullable(),
    policy: z.enum(SELECTION_POLICIES),
    reason: z.string().max(4000),
    collageKeys: z.array(blobKey),
    /** The VLM calls the choice took (none for the last-frame and metric policies). */
    usage: vlmUsageSchema.optional(),
  }),
  [Topic.MetricsComputed]: z.strictObject({
    frameCount: z.number().int().min(1),
    metrics: z.array(z.string()).min(1),
    mean: z.record(z.string(), z.number()),
    /** The edit's selection policy, passed on so that the metric policy can select from `series`. */
    selection: z.enum(SELECTION_POLICIES).default('vlm'),
    /** Every frame's metrics, in candidate and index order (null: not measured, e.g. no ground truth). */
    series: z.array(frameMetricsSchema).default([]),
  }),
  [Topic.EditFailed]: z.strictObject({
    stage: z.string().min(1),
    code: z.string().min(1),
    reason: z.string().min(1).max(4000),
  }),
  [Topic.EditFrameRechosen]: z.strictObject({
    /** The frame the user keeps; all null when the user keeps the source image (no edit). */
    candidate: z.number().int().min(0).nullable(),
    frameIndex: z.number().int().min(0).nullable(),
    frameId: z.uuid().nullable(),
    /** The choice it replaces. */
    previous: z.strictObject({
      candidate: z.number().int().min(0).nullable(),
      frameIndex: z.number().int().min(0).nullable(),
      policy: z.string().min(1),
    }),
    /** Who chose: the acting API key's id, null when the request carried none. */
    actor: z.string().min(1).max(200).nullable(),
    /** The entry's position in the edit's history. */
    seq: z.number().int().min(1),
  }),
  [Topic.DeadLetter]: z.strictObject({
    originalTopic: z.string(),
    consumer: z.string(),
    error: z.string(),
    rawValue: z.string(),
  }),
} as const satisfies Record<Topic, z.ZodType>;

export type EventPayloads = { [T in Topic]: z.infer<(typeof eventPayloadSchemas)[T]> };
