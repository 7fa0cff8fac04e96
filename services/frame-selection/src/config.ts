import { configParts, loadConfig } from '@f2f/common';
import { platformConfigShape } from '@f2f/platform';
import { vlmConfigShape } from '@f2f/vlm';
import { z } from 'zod';

export const frameSelectionConfigSchema = z.object({
  ...platformConfigShape,
  ...vlmConfigShape,
  PORT: configParts.port(4104),
});
export type FrameSelectionConfig = z.infer<typeof frameSelectionConfigSchema>;

export const loadFrameSelectionConfig = (env = process.env): FrameSelectionConfig =>
  loadConfig('frame-selection', frameSelectionConfigSchema, env);
