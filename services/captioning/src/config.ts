import { configParts, loadConfig } from '@f2f/common';
import { imageInspectionConfigShape } from '@f2f/imaging';
import { platformConfigShape, tenantContextSecretConfig } from '@f2f/platform';
import { vlmConfigShape, vlmTenantOverridesShape } from '@f2f/vlm';
import { z } from 'zod';

import { BUILTIN_EXAMPLE_SET_NAMES, type BuiltinExampleSet } from './caption/temporal-caption.prompt';

export const captioningConfigSchema = z.object({
  ...platformConfigShape,
  /** Verifies the tenant context the gateway signs (shared by the gateway and every subgraph). */
  TENANT_CONTEXT_SECRET: tenantContextSecretConfig,
  ...vlmConfigShape,
  ...vlmTenantOverridesShape,
  PORT: configParts.port(4102),
  /**
   * The built-in in-context examples of tenants without their own: `project` (default; the paper's
   * three S10 pairs and six of the project's, from no benchmark; prompt f2f-b1-v2) or
   * `paper-figures` (v1's nine, six of them from the paper's TEdBench figures; prompt paper-b1-v1;
   * evaluation warns when it is used).
   */
  CAPTION_EXAMPLE_SET: z
    .enum(BUILTIN_EXAMPLE_SET_NAMES as [BuiltinExampleSet, ...BuiltinExampleSet[]])
    .default('project'),
  /** In-context examples a tenant may keep (each one is a turn of every captioning prompt). */
  CAPTION_EXAMPLES_MAX: z.coerce.number().int().min(1).max(32).default(12),
  CAPTION_EXAMPLE_MAX_IMAGE_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(5 * 1024 * 1024),
  CAPTION_EXAMPLE_MAX_IMAGE_PIXELS: z.coerce.number().int().min(256).default(16_000_000),
  /** The threads, time limit and heap of the image inspection (libs/imaging ImageInspector). */
  ...imageInspectionConfigShape,
  /**
   * Largest request body; the same as the gateway's, so that an example whose image (base64) or text
   * is over its limit reaches the resolver and gets its own error rather than HTTP 413.
   */
  MAX_BODY_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(16 * 1024 * 1024),
});
export type CaptioningConfig = z.infer<typeof captioningConfigSchema>;

export const loadCaptioningConfig = (env = process.env): CaptioningConfig =>
  loadConfig('captioning', captioningConfigSchema, env);
