import { configParts, loadConfig } from '@f2f/common';
import { DEFAULT_FRAME_ENCODING, FRAME_FORMATS, type FrameEncoding } from '@f2f/imaging';
import { platformConfigShape } from '@f2f/platform';
import { z } from 'zod';

export const videoGenerationConfigSchema = z
  .object({
    ...platformConfigShape,
    PORT: configParts.port(4103),
    /**
     * The GPU pool: VideoGenerator workers as host:port, comma-separated, or one
     * dns:///service.namespace:port naming a headless Service (one address per pod).
     */
    GENERATOR_ADDRESSES: z
      .string({ error: 'GENERATOR_ADDRESSES is required (host:port[,host:port] or dns:///service:port)' })
      .transform((s) =>
        s
          .split(',')
          .map((a) => a.trim())
          .filter(Boolean),
      )
      .pipe(
        z
          .array(
            z
              .string()
              .regex(
                /^(dns:\/\/\/)?[^:\s/]+:\d+$/,
                'each generator address must be host:port or dns:///host:port',
              ),
          )
          .min(1)
          .refine(
            (a) => a.length === 1 || a.every((x) => !x.startsWith('dns:')),
            'use one dns:/// entry or a list',
          ),
      ),
    /** Workers that may fail one generation before it fails (it moves to another worker, same seed). */
    MAX_WORKER_FAILURES: z.coerce.number().int().min(1).max(20).default(3),
    WORKER_COOL_DOWN_MS: z.coerce.number().int().min(0).default(2000),
    WORKER_BUSY_RETRY_MS: z.coerce.number().int().min(10).default(250),
    /** Deadline of one generation call. */
    GENERATION_DEADLINE_MS: z.coerce
      .number()
      .int()
      .min(1000)
      .default(20 * 60 * 1000),
    /** At most one progress event per edit in this interval (the first and last step always go). */
    PROGRESS_MIN_INTERVAL_MS: z.coerce.number().int().min(0).default(250),
    /**
     * How frames are stored: webp (default) or avif keep a lossless PNG copy of each edited frame for
     * metrics, selection and the result; png stores every frame lossless (the paper's behaviour).
     */
    FRAME_FORMAT: z.enum(FRAME_FORMATS).default(DEFAULT_FRAME_ENCODING.format),
    /** The lossy formats' quality, 1–100 (WebP 85 ≈ SSIM 0.997 at ~8 % of PNG's bytes: npm run bench -- frames). */
    FRAME_QUALITY: z.coerce.number().int().min(1).max(100).default(DEFAULT_FRAME_ENCODING.quality),
    /**
     * The lossy encoder's effort (WebP 0–6, AVIF 0–9; more is slower and a little smaller). Unset: the
     * default encoding's effort for its format, the encoder's own default otherwise.
     */
    FRAME_EFFORT: z.coerce.number().int().min(0).max(9).optional(),
    /** Frames of one candidate stored at once: encoded and written while the next ones arrive. */
    FRAMES_IN_FLIGHT: z.coerce.number().int().min(1).max(8).default(2),
  })
  .superRefine((config, issues) => {
    if (config.FRAME_FORMAT === 'webp' && config.FRAME_EFFORT !== undefined && config.FRAME_EFFORT > 6)
      issues.addIssue({ code: 'custom', path: ['FRAME_EFFORT'], message: 'WebP effort is 0–6' });
  });
export type VideoGenerationConfig = z.infer<typeof videoGenerationConfigSchema>;

/** How frames are stored, from FRAME_FORMAT, FRAME_QUALITY and FRAME_EFFORT. */
export function frameEncodingOf(config: VideoGenerationConfig): FrameEncoding {
  const effort =
    config.FRAME_EFFORT ??
    (config.FRAME_FORMAT === DEFAULT_FRAME_ENCODING.format ? DEFAULT_FRAME_ENCODING.effort : undefined);
  return {
    format: config.FRAME_FORMAT,
    quality: config.FRAME_QUALITY,
    ...(effort === undefined ? {} : { effort }),
  };
}

export const loadVideoGenerationConfig = (env = process.env): VideoGenerationConfig =>
  loadConfig('video-generation', videoGenerationConfigSchema, env);
