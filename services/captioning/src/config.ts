import { configParts, loadConfig } from '@f2f/common';
import { platformConfigShape } from '@f2f/platform';
import { vlmConfigShape } from '@f2f/vlm';
import { z } from 'zod';

export const captioningConfigSchema = z.object({
  ...platformConfigShape,
  ...vlmConfigShape,
  PORT: configParts.port(4102),
});
export type CaptioningConfig = z.infer<typeof captioningConfigSchema>;

export const loadCaptioningConfig = (env = process.env): CaptioningConfig =>
  loadConfig('captioning', captioningConfigSchema, env);
