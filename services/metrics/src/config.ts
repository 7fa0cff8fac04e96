import { existsSync, statSync } from 'node:fs';

import { configParts, loadConfig } from '@f2f/common';
import { platformConfigShape, tenantContextSecretConfig } from '@f2f/platform';
import { z } from 'zod';

export const metricsConfigSchema = z.object({
  ...platformConfigShape,
  /** Verifies the tenant context the gateway signs (shared by the gateway and every subgraph). */
  TENANT_CONTEXT_SECRET: tenantContextSecretConfig,
  PORT: configParts.port(4105),
  /**
   * The learned metrics' model directory (tools/metric-models: manifest.json, ONNX networks, CLIP
   * vocabulary). Unset: LPIPS, CLIP-I and CLIP score are not computed (null), which is logged and
   * visible in metrics.computed's `metrics` list. Its manifest is checked at start-up.
   */
  METRIC_MODELS_DIR: z
    .string()
    .trim()
    .optional()
    .transform((s) => (s ? s : undefined))
    .refine((d) => d === undefined || (existsSync(d) && statSync(d).isDirectory()), {
      message: 'METRIC_MODELS_DIR must be an existing directory exported by tools/metric-models',
    }),
  /** ONNX Runtime intra-op threads per network. */
  METRIC_THREADS: z.coerce.number().int().min(1).max(64).default(2),
  /**
   * Worker threads that decode frames and compute the networks' preprocessing, SSIM and PSNR (the
   * networks run on the main thread meanwhile idle); 0: all on the main thread.
   */
  METRIC_FRAME_THREADS: z.coerce.number().int().min(0).max(64).default(2),
  /** Frames decoded and run through the networks at a time (bounds memory; 49 frames never all at once). */
  METRIC_BATCH_SIZE: z.coerce.number().int().min(1).max(49).default(7),
});
export type MetricsConfig = z.infer<typeof metricsConfigSchema>;

export const loadMetricsConfig = (env = process.env): MetricsConfig =>
  loadConfig('metrics', metricsConfigSchema, env);
