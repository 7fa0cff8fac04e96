import { configParts, loadConfig } from '@f2f/common';
import { platformConfigShape, tenantContextSecretConfig } from '@f2f/platform';
import { z } from 'zod';

const flag = (name: string) =>
  z
    .enum(['true', 'false'], { error: `${name} must be true or false` })
    .default('false')
    .transform((v) => v === 'true');

const ms = (min: number, max: number, fallback: number) =>
  z.coerce.number().int().min(min).max(max).default(fallback);

export const webhooksConfigSchema = z
  .object({
    ...platformConfigShape,
    /** Verifies the tenant context the gateway signs (shared by the gateway and every subgraph). */
    TENANT_CONTEXT_SECRET: tenantContextSecretConfig,
    PORT: configParts.port(4106),
    /** Encrypts the endpoints' signing secrets at rest (AES-256-GCM with a key derived from it). */
    WEBHOOK_SECRET_ENCRYPTION_KEY: z
      .string({
        error: 'WEBHOOK_SECRET_ENCRYPTION_KEY is required (a random string of at least 32 characters)',
      })
      .min(32, { error: 'WEBHOOK_SECRET_ENCRYPTION_KEY must be at least 32 characters' }),
    /** Whether endpoints may be plain http:// (https:// only when false). */
    WEBHOOK_ALLOW_HTTP: flag('WEBHOOK_ALLOW_HTTP'),
    /**
     * Whether endpoints may be (or resolve to) loopback, private, link-local or other non-public
     * addresses. Off in production: a webhook must not reach into the platform's own network.
     */
    WEBHOOK_ALLOW_PRIVATE_NETWORKS: flag('WEBHOOK_ALLOW_PRIVATE_NETWORKS'),
    WEBHOOK_MAX_ENDPOINTS_PER_TENANT: z.coerce.number().int().min(1).max(1000).default(10),
    /** One HTTP attempt's limit, connection to last byte of the response. */
    WEBHOOK_TIMEOUT_MS: ms(100, 120_000, 10_000),
    /** Attempts of a delivery before it is marked failed. */
    WEBHOOK_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(10),
    /** Retry n waits about base * 2^(n-1) (with jitter), at most the max. */
    WEBHOOK_RETRY_BASE_MS: ms(10, 86_400_000, 30_000),
    WEBHOOK_RETRY_MAX_MS: ms(10, 7 * 86_400_000, 6 * 3_600_000),
    /** How often the dispatcher looks for due deliveries (it also wakes when an event is recorded). */
    WEBHOOK_POLL_INTERVAL_MS: ms(10, 60_000, 1_000),
    /** Deliveries claimed at once and sent concurrently by one replica. */
    WEBHOOK_BATCH_SIZE: z.coerce.number().int().min(1).max(500).default(20),
    /** How long the previous secret keeps signing beside the new one after a rotation. */
    WEBHOOK_SECRET_ROTATION_GRACE_MS: ms(0, 30 * 86_400_000, 86_400_000),
  })
  .refine((c) => c.WEBHOOK_RETRY_MAX_MS >= c.WEBHOOK_RETRY_BASE_MS, {
    message: 'WEBHOOK_RETRY_MAX_MS must be at least WEBHOOK_RETRY_BASE_MS',
    path: ['WEBHOOK_RETRY_MAX_MS'],
  });
export type WebhooksConfig = z.infer<typeof webhooksConfigSchema>;

export const loadWebhooksConfig = (env = process.env): WebhooksConfig =>
  loadConfig('webhooks', webhooksConfigSchema, env);
