import { configParts, loadConfig } from '@f2f/common';
import { platformConfigShape } from '@f2f/platform';
import { z } from 'zod';

export const metricsConfigSchema = z.object({
  ...platformConfigShape,
  PORT: configParts.port(4105),
});
export type MetricsConfig = z.infer<typeof metricsConfigSchema>;

export const loadMetricsConfig = (env = process.env): MetricsConfig =>
  loadConfig('metrics', metricsConfigSchema, env);
