import { z } from 'zod';

/**
 * Validates a service's whole configuration once, at start-up. Nothing else in a service reads
 * `process.env`: it receives the parsed, typed object built here.
 */
export class ConfigError extends Error {
  constructor(
    readonly service: string,
    readonly issues: string[],
  ) {
    super(`${service}: invalid configuration:\n  - ${issues.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

export function loadConfig<S extends z.ZodType>(
  service: string,
  schema: S,
  env: NodeJS.ProcessEnv = process.env,
): z.infer<S> {
  const result = schema.safeParse(env);
  if (!result.success) {
    throw new ConfigError(
      service,
      result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`),
    );
  }
  return result.data;
}

/** Reusable pieces of configuration shared by several services. */
export const configParts = {
  databaseUrl: z
    .string({ error: 'DATABASE_URL is required (postgresql://user:pass@host:port/db)' })
    .regex(/^postgres(ql)?:\/\//, 'DATABASE_URL must be a postgresql:// URL'),
  kafkaBrokers: z
    .string({ error: 'KAFKA_BROKERS is required (host:port[,host:port])' })
    .transform((s) =>
      s
        .split(',')
        .map((b) => b.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.string().regex(/^[^:\s]+:\d+$/, 'each broker must be host:port')).min(1)),
  topicPrefix: z
    .string()
    .regex(/^[a-zA-Z0-9._-]*$/, 'KAFKA_TOPIC_PREFIX may contain letters, digits, ".", "_" and "-"')
    .default('f2f.'),
  port: (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback),
  blobDir: z.string().min(1).default('.data/blobs'),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
};

/** Keeps the keys of a config that are safe to print (no secrets, no credentials in URLs). */
export function redactConfig(config: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config)) {
    if (/secret|password|token|key$/i.test(key)) out[key] = '[redacted]';
    else if (typeof value === 'string' && /^[a-z]+:\/\/[^@/]*:[^@/]*@/.test(value))
      out[key] = value.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:[redacted]@');
    else out[key] = value;
  }
  return out;
}
