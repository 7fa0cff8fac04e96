import { configParts, loadConfig } from '@f2f/common';
import { platformConfigShape, signedUrlConfigShape, tenantContextSecretConfig } from '@f2f/platform';
import { vlmConfigShape, vlmTenantOverridesShape } from '@f2f/vlm';
import { z } from 'zod';

import { DEFAULT_METRIC_POLICY } from './selection/metric-policy';

export const frameSelectionConfigSchema = z.object({
  ...platformConfigShape,
  /** Signs the collages' download URLs (SelectionDecision.collageUrls). */
  ...signedUrlConfigShape,
  ...vlmConfigShape,
  ...vlmTenantOverridesShape,
  PORT: configParts.port(4104),
  TENANT_CONTEXT_SECRET: tenantContextSecretConfig,
  /** The metric policy (selection METRIC): LPIPS bound, share of the CLIP-score gain, minimum gain. */
  METRIC_LPIPS_BOUND: z.coerce.number().min(0).max(2).default(DEFAULT_METRIC_POLICY.lpipsBound),
  METRIC_PLATEAU_FRACTION: z.coerce.number().gt(0).max(1).default(DEFAULT_METRIC_POLICY.plateauFraction),
  METRIC_MIN_GAIN: z.coerce.number().min(0).max(2).default(DEFAULT_METRIC_POLICY.minGain),
});
export type FrameSelectionConfig = z.infer<typeof frameSelectionConfigSchema>;

export const loadFrameSelectionConfig = (env = process.env): FrameSelectionConfig =>
  loadConfig('frame-selection', frameSelectionConfigSchema, env);
