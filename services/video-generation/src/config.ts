import { configParts, loadConfig } from '@f2f/common';
import { platformConfigShape } from '@f2f/platform';
import { z } from 'zod';

export const videoGenerationConfigSchema = z.object({
  ...platformConfigShape,
  PORT: configParts.port(4103),
  /** VideoGenerator endpoints (host:port), comma-separated. */
  GENERATOR_ADDRESSES: z
    .string({ error: 'GENERATOR_ADDRESSES is required (host:port[,host:port])' })
    .transform((s) =>
      s
        .split(',')
        .map((a) => a.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.string().regex(/^[^:\s]+:\d+$/, 'each generator address must be host:port')).min(1)),
  /** Deadline of one generation call. */
  GENERATION_DEADLINE_MS: z.coerce
    .number()
    .int()
    .min(1000)
    .default(20 * 60 * 1000),
  /** At most one progress event per edit in this interval (the first and last step always go). */
  PROGRESS_MIN_INTERVAL_MS: z.coerce.number().int().min(0).default(250),
});
export type VideoGenerationConfig = z.infer<typeof videoGenerationConfigSchema>;

export const loadVideoGenerationConfig = (env = process.env): VideoGenerationConfig =>
  loadConfig('video-generation', videoGenerationConfigSchema, env);
