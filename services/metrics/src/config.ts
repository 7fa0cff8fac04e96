import { configParts, loadConfig } from '@f2f/common';
import { platformConfigShape, tenantContextSecretConfig } from '@f2f/platform';
import { z } from 'zod';

export const metricsConfigSchema = z.object({
  ...platformConfigShape,
  /** Verifies the tenant context the gateway signs (shared by the gateway and every subgraph). */
  TENANT_CONTEXT_SECRET: tenantContextSecretConfig,
  PORT: configParts.port(4105),
});
export type MetricsConfig = z.infer<typeof metricsConfigSchema>;

export const loadMetricsConfig = (env = process.env): MetricsConfig =>
  loadConfig('metrics', metricsConfigSchema, env);
