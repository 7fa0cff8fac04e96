import { configParts, loadConfig } from '@f2f/common';
import { z } from 'zod';

const url = (name: string) =>
  z.url({ error: `${name} must be an http(s) URL of the subgraph's /graphql endpoint` });

export const gatewayConfigSchema = z.object({
  PORT: configParts.port(4000),
  HOST: z.string().default('0.0.0.0'),
  LOG_LEVEL: configParts.logLevel,
  EDITS_URL: url('EDITS_URL').default('http://127.0.0.1:4101/graphql'),
  CAPTIONING_URL: url('CAPTIONING_URL').default('http://127.0.0.1:4102/graphql'),
  FRAME_SELECTION_URL: url('FRAME_SELECTION_URL').default('http://127.0.0.1:4104/graphql'),
  METRICS_URL: url('METRICS_URL').default('http://127.0.0.1:4105/graphql'),
  /** Requests larger than this are refused before parsing (base64 images make bodies large). */
  MAX_BODY_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(16 * 1024 * 1024),
  /** The tenant every request acts for, until API keys identify callers. */
  DEFAULT_TENANT_ID: z
    .string()
    .regex(/^[a-zA-Z0-9_-]{1,100}$/)
    .default('default'),
});
export type GatewayConfig = z.infer<typeof gatewayConfigSchema>;

export const loadGatewayConfig = (env = process.env): GatewayConfig =>
  loadConfig('gateway', gatewayConfigSchema, env);
