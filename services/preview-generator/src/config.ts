import { configParts, loadConfig } from '@f2f/common';
import { imageInspectionConfigShape } from '@f2f/imaging';
import { z } from 'zod';

export const previewConfigSchema = z.object({
  PORT: configParts.port(50061),
  HOST: z.string().default('0.0.0.0'),
  LOG_LEVEL: configParts.logLevel,
  /** Time each "denoising step" takes, standing in for GPU time in tests and benchmarks. */
  STEP_DELAY_MS: z.coerce.number().int().min(0).max(60_000).default(10),
  /** Generations served at once; one more is answered RESOURCE_EXHAUSTED. */
  MAX_CONCURRENT: z.coerce.number().int().min(1).max(64).default(2),
  /** A request's image may have at most this many pixels (the CogVideoX worker's limit: 64 Mi). */
  MAX_IMAGE_PIXELS: z.coerce
    .number()
    .int()
    .min(1024)
    .max(200_000_000)
    .default(64 * 1024 * 1024),
  /** The threads, time limit and heap of the image inspection (libs/imaging ImageInspector). */
  ...imageInspectionConfigShape,
});
export type PreviewConfig = z.infer<typeof previewConfigSchema>;

export const loadPreviewConfig = (env = process.env): PreviewConfig =>
  loadConfig('preview-generator', previewConfigSchema, env);
