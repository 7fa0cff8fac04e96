import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseEnv } from 'node:util';

import { REPO_ROOT, type ServiceName } from './launcher';

/** The services whose configuration (services/<name>/src/config.ts) the launcher passes settings to. */
export const CONFIGURED_SERVICES = [
  'gateway',
  'edits',
  'captioning',
  'video-generation',
  'frame-selection',
  'metrics',
  'webhooks',
  'preview-generator',
] as const;
export type ConfiguredService = (typeof CONFIGURED_SERVICES)[number];

/**
 * Settings `npm start` reads itself (besides passing those a service reads on to it), and the
 * infrastructure scripts' (infra/).
 */
export const LAUNCHER_SETTINGS: Readonly<Record<string, string>> = {
  PORT: "the gateway's port (4000)",
  SERVICE_PORT_BASE:
    'the other services listen on base+1 (edits) ... base+6 (webhooks), the preview generators on base+7 and base+8 (default: 4101..4106, 50061)',
  DATABASE_URL: 'an existing Postgres instead of the one infra/up.sh starts',
  KAFKA_BROKERS: 'existing Kafka brokers instead of the one infra/up.sh starts',
  KAFKA_TOPIC_PREFIX: "the topics' prefix (f2f.)",
  BLOB_DIR: 'where images are kept (.data/blobs)',
  LOG_DIR: "where each service's log goes (.cache/logs)",
  PREVIEW_STEP_DELAY_MS: "the preview generator's time per denoising step (40)",
  TENANT_ID: 'the tenant created at start with a read/write/admin key (default)',
  SUPERVISE: 'restart services that exit unexpectedly (true; false: leave them down)',
  GENERATOR_ADDRESSES:
    'real GPU workers (host:port list or dns:///service:port): no preview generator is started',
  F2F_PG_PORT: "infra/: the local Postgres' port",
  F2F_PG_BINDIR: "infra/: the Postgres binaries' directory",
  F2F_PG_START_TIMEOUT: 'infra/: seconds to wait for Postgres',
  F2F_KAFKA_PORT: "infra/: the local broker's port",
  F2F_KAFKA_CONTROLLER_PORT: "infra/: the local broker's controller port",
  F2F_KAFKA_HEAP_OPTS: "infra/: the broker's JVM heap options",
  F2F_KAFKA_START_TIMEOUT: 'infra/: seconds to wait for Kafka',
  TEST_DATABASE_URL: 'infra/, npm test: the database tests copy',
  OBSERVABILITY:
    'true: also start Jaeger (traces, OTLP) and Prometheus (metrics, alert rules) for the platform (npm start -- --observability)',
  F2F_JAEGER_OTLP_PORT: "infra/jaeger.sh: Jaeger's OTLP/gRPC port (4317)",
  F2F_JAEGER_OTLP_HTTP_PORT: "infra/jaeger.sh: Jaeger's OTLP/HTTP port (4318), where the services send spans",
  F2F_JAEGER_UI_PORT: "infra/jaeger.sh: Jaeger's UI and query API port (16686)",
  F2F_PROMETHEUS_PORT: "infra/prometheus.sh: Prometheus' UI and API port (9090)",
};

/** What the launcher sets for each process itself (addresses on this machine): never a user's setting. */
const LAUNCHER_MANAGED = new Set([
  'EDITS_URL',
  'CAPTIONING_URL',
  'FRAME_SELECTION_URL',
  'METRICS_URL',
  'WEBHOOKS_URL',
]);
/** Read by the launcher, which hands each service its own value (a port each, the infrastructure's addresses). */
const NOT_PASSED_THROUGH = new Set([
  'PORT',
  'DATABASE_URL',
  'KAFKA_BROKERS',
  'KAFKA_TOPIC_PREFIX',
  'BLOB_DIR',
]);

/**
 * Environment variables with these prefixes look like settings: one that no service and not the
 * launcher reads is refused (a typo such as RATE_LIMT_BURST would otherwise be ignored silently).
 * Others (PATH, HOME, NODE_OPTIONS, ...) are not the platform's and are left alone.
 */
export const SETTING_PREFIXES = [
  'F2F_',
  'VLM_',
  'RATE_',
  'TRANSFER_',
  'MAX_',
  'SIGNED_',
  'UPLOAD_',
  'CAPTION_',
  'CORS_',
  'QUERY_',
  'FEED_',
  'AUTH_',
  'METRIC_',
  'WEBHOOK_',
  'GENERATOR_',
  'GENERATION_',
  'WORKER_',
  'PROGRESS_',
  'CONSUMER_',
  'DB_',
  'KAFKA_',
  'TENANT_',
  'PREVIEW_',
  'INTROSPECTION',
  'SERVICE_PORT',
];
/** F2F_ variables of the tools and tests, not of `npm start` (the eval CLI's key, the test runner's). */
const OTHER_TOOLS = new Set(['F2F_API_KEY', 'F2F_TEMPLATE_DB', 'F2F_GATEWAY_LOG_LEVEL']);

export class SettingsError extends Error {
  constructor(readonly problems: string[]) {
    super(`the settings are not valid; nothing was started:\n  - ${problems.join('\n  - ')}`);
    this.name = 'SettingsError';
  }
}

interface ServiceConfigModule {
  keys: string[];
  load(env: Record<string, string>): unknown;
}

/** A service's own configuration schema and loader, from its build (services/<name>/dist/config.js). */
function serviceConfig(service: ConfiguredService): ServiceConfigModule {
  const file = path.join(REPO_ROOT, 'services', service, 'dist', 'config.js');
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the service's build, by path: libs never import services
  const exports = require(file) as Record<string, unknown>;
  const schema = Object.entries(exports).find(([k]) => k.endsWith('ConfigSchema'))?.[1] as
    { shape: Record<string, unknown> } | undefined;
  const load = Object.entries(exports).find(([k]) => /^load.*Config$/.test(k))?.[1];
  if (!schema?.shape || typeof load !== 'function')
    throw new Error(`${file} exports no configuration schema`);
  return { keys: Object.keys(schema.shape), load: load as ServiceConfigModule['load'] };
}

const configs = new Map<ConfiguredService, ServiceConfigModule>();
const configOf = (service: ConfiguredService) => {
  if (!configs.has(service)) configs.set(service, serviceConfig(service));
  return configs.get(service)!;
};

/** Every setting each service reads (its config.ts schema), service -> names. */
export function settingsTable(): Record<ConfiguredService, string[]> {
  return Object.fromEntries(CONFIGURED_SERVICES.map((s) => [s, configOf(s).keys])) as Record<
    ConfiguredService,
    string[]
  >;
}

/** The settings of a local platform: the environment over a `.env` file, each routed to its readers. */
export interface LocalSettings {
  /** Every known setting given, by name (environment first, then .env). */
  values: Record<string, string>;
  /** What each service gets of them (its own names only). */
  perService: Record<ConfiguredService, Record<string, string>>;
}

/**
 * Reads the settings of `npm start` from the environment and a `.env` file (the environment wins),
 * refusing unknown names: every name in .env, and names in the environment that look like settings
 * (SETTING_PREFIXES). Variables named by VLM_TENANT_OVERRIDES' `apiKeyEnv` go to the VLM services.
 */
export function readLocalSettings(
  env: NodeJS.ProcessEnv,
  envFile: string | undefined = path.join(REPO_ROOT, '.env'),
): LocalSettings {
  const fromFile: Record<string, string> =
    envFile && existsSync(envFile) ? (parseEnv(readFileSync(envFile, 'utf8')) as Record<string, string>) : {};
  const table = settingsTable();
  const readers = new Map<string, ConfiguredService[]>();
  for (const service of CONFIGURED_SERVICES) {
    for (const key of table[service]) readers.set(key, [...(readers.get(key) ?? []), service]);
  }
  const overrides = env.VLM_TENANT_OVERRIDES ?? fromFile.VLM_TENANT_OVERRIDES;
  for (const name of apiKeyEnvNames(overrides)) readers.set(name, ['captioning', 'frame-selection']);
  const known = (k: string) => readers.has(k) || k in LAUNCHER_SETTINGS;
  const problems: string[] = [];
  const unknown = (k: string, where: string) =>
    problems.push(`${k} (${where}) is not a setting of any service or of npm start${suggestion(k, readers)}`);
  for (const k of Object.keys(fromFile)) if (!known(k)) unknown(k, envFile ?? '.env');
  for (const k of Object.keys(env)) {
    if (!known(k) && !OTHER_TOOLS.has(k) && SETTING_PREFIXES.some((p) => k.startsWith(p)))
      unknown(k, 'environment');
  }
  const values: Record<string, string> = {};
  for (const k of new Set([...Object.keys(fromFile), ...Object.keys(env)])) {
    const v = env[k] ?? fromFile[k];
    if (v !== undefined && known(k)) values[k] = v;
  }
  for (const k of Object.keys(values)) {
    if (LAUNCHER_MANAGED.has(k))
      problems.push(`${k} is set by the launcher (the services' addresses on this machine)`);
  }
  if (problems.length > 0) throw new SettingsError(problems);
  const perService = Object.fromEntries(
    CONFIGURED_SERVICES.map((s) => [s, {}]),
  ) as LocalSettings['perService'];
  for (const [k, v] of Object.entries(values)) {
    if (NOT_PASSED_THROUGH.has(k)) continue;
    for (const service of readers.get(k) ?? []) perService[service][k] = v;
  }
  return { values, perService };
}

/** The names of the variables VLM_TENANT_OVERRIDES' entries take their keys from (none when it is malformed). */
function apiKeyEnvNames(overrides: string | undefined): string[] {
  if (!overrides) return [];
  try {
    const parsed = JSON.parse(overrides) as Record<string, { apiKeyEnv?: unknown }>;
    return Object.values(parsed)
      .map((o) => o?.apiKeyEnv)
      .filter((n): n is string => typeof n === 'string');
  } catch {
    return []; // the services' own check reports it
  }
}

/** ", did you mean X?" for a name close to a known one. */
function suggestion(name: string, known: Map<string, unknown>): string {
  let best: { key: string; distance: number } | undefined;
  for (const key of known.keys()) {
    const distance = editDistance(name, key);
    if (distance <= 3 && (!best || distance < best.distance)) best = { key, distance };
  }
  return best ? `; did you mean ${best.key}?` : '';
}

function editDistance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) {
      next[j] = Math.min(row[j] + 1, next[j - 1] + 1, row[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    row = next;
  }
  return row[b.length];
}

/**
 * Checks every process' environment with its service's own configuration loader (the one it runs at
 * start-up), so that an invalid value stops the start with the service's reason before anything runs.
 */
export function checkServiceEnvironments(
  instances: readonly ServiceName[],
  envFor: (name: ServiceName) => Record<string, string>,
): void {
  const problems: string[] = [];
  for (const name of instances) {
    const service = (name === 'preview-generator-2' ? 'preview-generator' : name) as ConfiguredService;
    try {
      configOf(service).load(envFor(name));
    } catch (error) {
      const issues = (error as { issues?: string[] }).issues ?? [(error as Error).message];
      problems.push(...issues.map((issue) => `${name}: ${issue}`));
    }
  }
  if (problems.length > 0) throw new SettingsError(problems);
}
