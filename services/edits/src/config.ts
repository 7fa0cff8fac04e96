import { configParts, loadConfig } from '@f2f/common';
import { platformConfigShape } from '@f2f/platform';
import { z } from 'zod';

export const editsConfigSchema = z.object({
  ...platformConfigShape,
  PORT: configParts.port(4101),
  MAX_IMAGE_BYTES: z.coerce.number().int().min(1024).max(100 * 1024 * 1024).default(10 * 1024 * 1024),
  MAX_IMAGE_PIXELS: z.coerce.number().int().min(1024).max(200_000_000).default(40_000_000),
  MAX_CAPTION_LENGTH: z.coerce.number().int().min(16).max(2000).default(500),
});
export type EditsConfig = z.infer<typeof editsConfigSchema>;

export const loadEditsConfig = (env = process.env): EditsConfig => loadConfig('edits', editsConfigSchema, env);

/** JSON bodies carry the image as base64 (4/3 of its size) plus the rest of the request. */
export const bodyLimitBytes = (config: EditsConfig): number => Math.ceil(config.MAX_IMAGE_BYTES * 1.37) + 1024 * 1024;
