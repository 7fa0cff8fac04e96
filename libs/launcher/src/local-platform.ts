import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import {
  DEFAULT_PORTS,
  type PlatformOptions,
  REPO_ROOT,
  RunningPlatform,
  type ServiceName,
  startPlatform,
} from './launcher';
import { checkServiceEnvironments, type LocalSettings } from './settings';

/** Where Postgres and Kafka are (infra/up.sh's, or the ones DATABASE_URL and KAFKA_BROKERS name). */
export interface Infrastructure {
  databaseUrl: string;
  kafkaBrokers: string;
}

/** Ports of a local platform: the gateway on PORT, the others from SERVICE_PORT_BASE (or the defaults). */
function localPorts(values: Record<string, string>): Record<ServiceName, number> {
  const base = values.SERVICE_PORT_BASE ? Number(values.SERVICE_PORT_BASE) : undefined;
  const ports = { ...DEFAULT_PORTS, gateway: Number(values.PORT ?? DEFAULT_PORTS.gateway) };
  if (base !== undefined) {
    const order: ServiceName[] = [
      'edits',
      'captioning',
      'video-generation',
      'frame-selection',
      'metrics',
      'webhooks',
      'preview-generator',
      'preview-generator-2',
    ];
    order.forEach((name, i) => (ports[name] = base + i + 1));
  }
  return ports;
}

/**
 * The key that encrypts webhook secrets at rest: WEBHOOK_SECRET_ENCRYPTION_KEY, or one made once and
 * kept in .data/ beside the blobs, so endpoints registered in an earlier run keep signing.
 */
function webhookEncryptionKey(values: Record<string, string>): string {
  if (values.WEBHOOK_SECRET_ENCRYPTION_KEY) return values.WEBHOOK_SECRET_ENCRYPTION_KEY;
  const file = path.join(REPO_ROOT, '.data', 'webhook-secret-encryption-key');
  if (!existsSync(file)) {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, randomBytes(32).toString('hex'), { mode: 0o600 });
  }
  return readFileSync(file, 'utf8').trim();
}

/** The launcher's options for `npm start`'s platform from its settings (see readLocalSettings). */
export function localPlatformOptions(
  settings: LocalSettings,
  infra: Infrastructure,
  overrides: Partial<PlatformOptions> = {},
): PlatformOptions {
  const v = settings.values;
  const positive = (x: string | undefined) => (x ? Number(x) : undefined);
  const env: PlatformOptions['env'] = { ...settings.perService };
  env['preview-generator-2'] = settings.perService['preview-generator'];
  return {
    databaseUrl: infra.databaseUrl,
    kafkaBrokers: infra.kafkaBrokers,
    topicPrefix: v.KAFKA_TOPIC_PREFIX ?? 'f2f.',
    blobDir: v.BLOB_DIR ?? path.join(REPO_ROOT, '.data', 'blobs'),
    logDir: v.LOG_DIR ?? path.join(REPO_ROOT, '.cache', 'logs'),
    // Unset: the committed random-weight fixture networks (see libs/launcher).
    metricModelsDir: v.METRIC_MODELS_DIR || undefined,
    ports: localPorts(v),
    stepDelayMs: positive(v.PREVIEW_STEP_DELAY_MS) ?? 40,
    // Real GPU workers named: the local platform uses them, and starts no preview generator.
    previewGenerators: v.GENERATOR_ADDRESSES ? 0 : 1,
    bootstrapTenant: v.TENANT_ID ?? 'default',
    ...(v.TENANT_CONTEXT_SECRET ? { tenantContextSecret: v.TENANT_CONTEXT_SECRET } : {}),
    webhookEncryptionKey: webhookEncryptionKey(v),
    ...(v.SIGNED_URL_SECRET ? { signedUrlSecret: v.SIGNED_URL_SECRET } : {}),
    ...(v.PUBLIC_BASE_URL ? { publicBaseUrl: v.PUBLIC_BASE_URL } : {}),
    supervise: v.SUPERVISE !== 'false',
    env,
    ...overrides,
  };
}

/**
 * Checks every service's configuration as it would start (its own loader, on the environment the
 * launcher would give it) before anything runs; throws a SettingsError with each reason.
 * `infra` may be placeholders: the addresses are checked for their form only.
 */
export function checkLocalPlatform(
  settings: LocalSettings,
  infra: Infrastructure = {
    databaseUrl: 'postgresql://f2f@127.0.0.1:5432/f2f',
    kafkaBrokers: '127.0.0.1:9092',
  },
): void {
  const platform = new RunningPlatform(
    localPlatformOptions(settings, {
      databaseUrl: settings.values.DATABASE_URL ?? infra.databaseUrl,
      kafkaBrokers: settings.values.KAFKA_BROKERS ?? infra.kafkaBrokers,
    }),
    localPorts(settings.values),
  );
  checkServiceEnvironments(platform.instances, (name) => platform.envFor(name));
}

/** `npm start`'s platform: checks every service's configuration, then starts them all. */
export async function startLocalPlatform(
  settings: LocalSettings,
  infra: Infrastructure,
  overrides: Partial<PlatformOptions> = {},
): Promise<RunningPlatform> {
  checkLocalPlatform(settings, infra);
  return startPlatform(localPlatformOptions(settings, infra, overrides));
}
