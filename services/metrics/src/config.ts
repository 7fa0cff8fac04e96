import { existsSync, statSync } from 'node:fs';

import { configParts, loadConfig } from '@f2f/common';
import { CLIP_IMAGE_PRECISIONS } from '@f2f/learned-metrics';
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
  /**
   * The CLIP image tower that measures frames: `fp32`, the paper's network (default), or `int8`,
   * its dynamic int8 quantisation from the same model set (manifest clipImageInt8, exported with
   * --clip-image-int8): about 3x faster on CPU, CLIP-I and CLIP score slightly different (scores are
   * recorded with `<model id>+clip-image-int8`). Measure the difference on your data with
   * `npm run compare:clip-precision -w @f2f/metrics` before switching.
   */
  METRIC_CLIP_IMAGE_PRECISION: z.enum(CLIP_IMAGE_PRECISIONS).default('fp32'),
  /** ONNX Runtime intra-op threads per network. */
  METRIC_THREADS: z.coerce.number().int().min(1).max(64).default(2),
  /**
   * Worker threads that decode frames and compute the networks' preprocessing, SSIM and PSNR (the
   * networks run on the main thread meanwhile idle); 0: all on the main thread.
   */
  METRIC_FRAME_THREADS: z.coerce.number().int().min(0).max(64).default(2),
  /** Frames decoded and run through the networks at a time (bounds memory; 49 frames never all at once). */
  METRIC_BATCH_SIZE: z.coerce.number().int().min(1).max(49).default(7),
  /**
   * Pixels decoded at a time: a batch holds fewer frames than METRIC_BATCH_SIZE when its frames are
   * large (at least one), so memory stays bounded whatever the output size (7 frames of 1024×1024).
   */
  METRIC_BATCH_PIXELS: z.coerce
    .number()
    .int()
    .min(65_536)
    .default(7 * 1024 * 1024),
  /**
   * Measures frames as they land (video.progress), while the rest of the video is still generated,
   * so that after video.generated only the frames not measured yet are left: `true`, where metrics
   * has CPUs of its own (k8s/base/metrics.yaml), or `false` (default: everything after
   * video.generated; the service then takes neither video.progress nor caption.completed). Where
   * every service shares the same cores (`npm start`), the early measuring competes with the frames'
   * storage and the generator and the edit takes longer: `npm run bench -- overhead` measured 1.152×
   * off and 1.205× on (BENCHMARKS.md).
   */
  MEASURE_FRAMES_AS_THEY_LAND: z
    .enum(['true', 'false'], { error: 'MEASURE_FRAMES_AS_THEY_LAND must be true or false' })
    .default('false')
    .transform((v) => v === 'true'),
});
export type MetricsConfig = z.infer<typeof metricsConfigSchema>;

export const loadMetricsConfig = (env = process.env): MetricsConfig =>
  loadConfig('metrics', metricsConfigSchema, env);
