import { configParts, loadConfig } from '@f2f/common';
import { signedUrlSecretConfig, tenantContextSecretConfig } from '@f2f/platform';
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
  WEBHOOKS_URL: url('WEBHOOKS_URL').default('http://127.0.0.1:4106/graphql'),
  /** The status topic's brokers: subscriptions follow the edits' live feed there. */
  KAFKA_BROKERS: configParts.kafkaBrokers,
  KAFKA_TOPIC_PREFIX: configParts.topicPrefix,
  /** Requests larger than this are refused before parsing (base64 images make bodies large). */
  MAX_BODY_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(16 * 1024 * 1024),
  /** Signs the tenant context sent to the subgraphs, and the gateway's calls to resolve API keys. */
  TENANT_CONTEXT_SECRET: tenantContextSecretConfig,
  /** Verifies the signed upload and download URLs (/v1/uploads, /v1/files) before they reach edits. */
  SIGNED_URL_SECRET: signedUrlSecretConfig,
  /**
   * Benchmarks and local experiments only: every request acts for this tenant (all scopes, key id
   * `auth-disabled`) without an API key, and no rate limit applies. Unset (the default): API keys
   * are required. Refused when NODE_ENV=production.
   */
  AUTH_DISABLED_TENANT: z
    .string()
    .regex(/^[a-zA-Z0-9_-]{1,100}$/, { error: 'AUTH_DISABLED_TENANT must be a tenant id' })
    .optional(),
  /** How long a resolved API key (or an unknown or revoked one) is reused: revocation takes effect within this. */
  AUTH_CACHE_TTL_MS: z.coerce.number().int().min(0).max(60_000).default(5_000),
  /** Per-tenant token bucket: requests per second, and how many may come at once. */
  RATE_LIMIT_PER_SECOND: z.coerce.number().min(0.01).max(100_000).default(20),
  RATE_LIMIT_BURST: z.coerce.number().int().min(1).max(1_000_000).default(40),
  /** The same for uploads and downloads at signed URLs, per the token's tenant (a path is 49+ images). */
  TRANSFER_RATE_LIMIT_PER_SECOND: z.coerce.number().min(0.01).max(100_000).default(100),
  TRANSFER_RATE_LIMIT_BURST: z.coerce.number().int().min(1).max(1_000_000).default(300),
  /** Deepest field nesting an operation may have (`{ edit { frames { id } } }` is 3). */
  MAX_QUERY_DEPTH: z.coerce.number().int().min(1).max(100).default(8),
  /** Largest estimated cost of an operation (a field costs its @cost, else 1; a list's selections count per element). */
  MAX_QUERY_COST: z.coerce.number().int().min(1).default(20_000),
  /**
   * Lexical tokens a document may have: parsing stops past it (QUERY_TOO_COMPLEX with maxTokens),
   * so that thousands of aliases cost no parsing or validation (a client's largest query has a
   * few hundred; the introspection query about 250).
   */
  MAX_QUERY_TOKENS: z.coerce.number().int().min(100).max(1_000_000).default(5_000),
  /** Elements assumed for a list field without a `first` argument, when estimating cost. */
  QUERY_COST_LIST_SIZE: z.coerce.number().int().min(1).max(10_000).default(50),
  /** The cost of a root mutation field that declares no @cost (a read field costs 1). */
  QUERY_COST_MUTATION: z.coerce.number().int().min(1).max(100_000).default(10),
  /** Root mutation fields one request may have (each alias counts); more: TOO_MANY_MUTATIONS. */
  MAX_MUTATIONS_PER_REQUEST: z.coerce.number().int().min(1).max(1000).default(10),
  /**
   * At most this many of a mutation field per request, as `field=n` pairs separated by commas
   * (TOO_MANY_MUTATIONS past it). The names must be Mutation fields of the supergraph.
   */
  MUTATION_FIELD_LIMITS: z
    .string()
    .default('createEdit=1,createUpload=1,createApiKey=1,createWebhookEndpoint=1')
    .transform((v, ctx) => {
      const limits = new Map<string, number>();
      for (const pair of v
        .split(',')
        .map((p) => p.trim())
        .filter(Boolean)) {
        const match = /^([A-Za-z_]\w*)=(\d{1,4})$/.exec(pair);
        if (!match || Number(match[2]) < 1) {
          ctx.addIssue({
            code: 'custom',
            message: `MUTATION_FIELD_LIMITS: "${pair}" is not field=n (n >= 1)`,
          });
          return z.NEVER;
        }
        limits.set(match[1], Number(match[2]));
      }
      return limits as ReadonlyMap<string, number>;
    }),
  /**
   * The longest a GraphQL request may run: past it the gateway aborts its subgraph calls and
   * answers REQUEST_TIMEOUT (HTTP 504). A mutation may have been applied meanwhile.
   */
  REQUEST_TIMEOUT_MS: z.coerce.number().int().min(50).max(600_000).default(10_000),
  /**
   * editsUpdated(afterCursor) replays from this long before the cursor (entries recorded in
   * transactions that committed late), and refuses cursors older than FEED_REPLAY_MAX_AGE_S.
   */
  FEED_REPLAY_LOOKBACK_MS: z.coerce.number().int().min(0).max(300_000).default(10_000),
  FEED_REPLAY_MAX_AGE_S: z.coerce
    .number()
    .int()
    .min(60)
    .max(30 * 86_400)
    .default(86_400),
  /**
   * Browser origins allowed to call the gateway (GraphQL, uploads, files) across origins: a comma-
   * separated list of exact origins (`https://app.example.com`). Empty (the default): no CORS headers,
   * so only same-origin pages and non-browser clients can call.
   */
  CORS_ORIGINS: z
    .string()
    .default('')
    .transform((v) =>
      v
        .split(',')
        .map((o) => o.trim())
        .filter(Boolean),
    )
    .pipe(
      z.array(
        z.string().regex(/^https?:\/\/[^/\s]+$/, {
          error: 'CORS_ORIGINS must list origins like https://app.example.com (scheme and host, no path)',
        }),
      ),
    ),
  /**
   * A built web page (apps/web/dist) to serve at the gateway's origin (/ and its assets), so that
   * it calls the API same-origin. Empty (the default): no page.
   */
  WEB_DIR: z.string().default(''),
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  /** Whether the schema can be introspected; off by default when NODE_ENV=production. */
  INTROSPECTION: z
    .enum(['true', 'false'], { error: 'INTROSPECTION must be true or false' })
    .transform((v) => v === 'true')
    .optional(),
});
export type GatewayConfig = z.infer<typeof gatewayConfigSchema>;

/** Authentication cannot be switched off in production. */
const checkedGatewayConfig = gatewayConfigSchema.refine(
  (c) => !(c.AUTH_DISABLED_TENANT && c.NODE_ENV === 'production'),
  { error: 'AUTH_DISABLED_TENANT must not be set when NODE_ENV=production', path: ['AUTH_DISABLED_TENANT'] },
);

export const loadGatewayConfig = (env = process.env): GatewayConfig =>
  loadConfig('gateway', checkedGatewayConfig, env);

/** Introspection: INTROSPECTION when set, else on everywhere but NODE_ENV=production. */
export const introspectionEnabled = (config: Pick<GatewayConfig, 'INTROSPECTION' | 'NODE_ENV'>): boolean =>
  config.INTROSPECTION ?? config.NODE_ENV !== 'production';

/**
 * CORS for a product frontend served from another origin: its GraphQL requests (with an API key),
 * the PUT of an image to a signed upload URL and the GET of a signed file URL.
 */
export const corsOptions = (origins: string[]) => ({
  origin: origins,
  methods: ['GET', 'HEAD', 'POST', 'PUT', 'OPTIONS'],
  allowedHeaders: ['authorization', 'x-api-key', 'content-type', 'if-none-match', 'x-request-id'],
  exposedHeaders: ['etag', 'retry-after', 'x-request-id'],
  maxAge: 600,
});
