import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';

import { sleep } from '@f2f/common';
import { dataOwner, ownerDatabaseUrl, ownerPassword } from '@f2f/database';

/** The repository root (libs/launcher/{src,dist} -> ../../..). */
export const REPO_ROOT = path.resolve(__dirname, '../../..');

export const SERVICE_NAMES = [
  'preview-generator',
  'edits',
  'metrics',
  'captioning',
  'video-generation',
  'frame-selection',
  'webhooks',
  'gateway',
] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number] | 'preview-generator-2';

/** The service whose build an instance runs (a second preview generator runs the same one). */
const serviceOf = (name: ServiceName) => (name === 'preview-generator-2' ? 'preview-generator' : name);

export interface PlatformOptions {
  /**
   * The platform database as its administrator (migrations, the tenant CLI's bootstrap); each
   * service that owns data gets its own role's URL on it (ownerDatabaseUrl), nothing more.
   */
  databaseUrl: string;
  kafkaBrokers: string;
  topicPrefix: string;
  blobDir: string;
  /** Where each service's output goes (one file per service); inherit the terminal when absent. */
  logDir?: string;
  /** Fixed ports (start command) or free ones picked at random (tests). */
  ports?: Partial<Record<ServiceName, number>>;
  /** Per-step delay of the preview generator. */
  stepDelayMs?: number;
  /**
   * Two preview generators make a pool of two workers (failover tests); none when the video
   * generation service is given real workers (`env['video-generation'].GENERATOR_ADDRESSES`).
   */
  previewGenerators?: 0 | 1 | 2;
  logLevel?: string;
  /**
   * The metrics service's model directory (METRIC_MODELS_DIR). Default: the committed tiny
   * RANDOM-WEIGHT fixture networks (DEFAULT_METRIC_MODELS_DIR), so that every learned metric is
   * computed end to end; their scores mean nothing, and the service logs so and records the model
   * set's id ("fixture-tiny-random-…") with every frame. Pass a directory exported with trained
   * weights (tools/metric-models) for real scores.
   */
  metricModelsDir?: string;
  /** Extra environment per service. */
  env?: Partial<Record<ServiceName, Record<string, string>>>;
  /** The tenant created at start with a read/write/admin key (`platform.apiKey`); `default` when absent. */
  bootstrapTenant?: string;
  /** TENANT_CONTEXT_SECRET of the gateway and the subgraphs; a random one per platform when absent. */
  tenantContextSecret?: string;
  /**
   * WEBHOOK_SECRET_ENCRYPTION_KEY of the webhooks service; a random one per platform when absent
   * (then secrets of endpoints registered in an earlier run cannot be read: pass a fixed one to keep them).
   */
  webhookEncryptionKey?: string;
  /** SIGNED_URL_SECRET of the gateway, edits and frame-selection; a random one per platform when absent. */
  signedUrlSecret?: string;
  /** PUBLIC_BASE_URL: the gateway's origin as clients reach it (signed URLs point there); the local gateway when absent. */
  publicBaseUrl?: string;
  /**
   * Restart a service whose process exits unexpectedly (not through kill() or stop()), with
   * exponential back-off, once the platform is up. Off by default (tests kill and start services
   * themselves); `npm start` turns it on.
   */
  supervise?: boolean | SupervisionOptions;
  /**
   * How long a service may take to report healthy before its start fails (default 180 s: eight
   * services loading at once on two busy cores take over a minute; an exit fails a start at once).
   */
  startTimeoutMs?: number;
  /**
   * OTEL_EXPORTER_OTLP_ENDPOINT of every service (OTLP/HTTP, e.g. infra/jaeger.sh's
   * http://127.0.0.1:4318): each exports its spans there. The launcher's own OTEL_* variables are
   * passed on to every service too.
   */
  otlpEndpoint?: string;
}

export interface SupervisionOptions {
  /** Delay before the first restart; each further one doubles it. Default 500 ms. */
  initialDelayMs?: number;
  /** Longest delay between restarts. Default 30 s. */
  maxDelayMs?: number;
  /** A service that stayed up this long starts again from the first delay. Default 60 s. */
  resetAfterMs?: number;
  /** Where restarts are reported; console.error when absent. */
  log?: (line: string) => void;
}

const SUPERVISION_DEFAULTS: Required<Omit<SupervisionOptions, 'log'>> = {
  initialDelayMs: 500,
  maxDelayMs: 30_000,
  resetAfterMs: 60_000,
};

/** The delay before restart n (1-based): initial * 2^(n-1), at most max. */
export function restartDelay(restart: number, options: SupervisionOptions = {}): number {
  const { initialDelayMs, maxDelayMs } = { ...SUPERVISION_DEFAULTS, ...options };
  return Math.min(initialDelayMs * 2 ** Math.max(0, restart - 1), maxDelayMs);
}

/** How often the launcher asks a starting service whether it is healthy. */
const HEALTH_POLL_MS = 100;

/** Tiny random-weight networks committed as test fixtures (libs/learned-metrics/fixtures). */
export const DEFAULT_METRIC_MODELS_DIR = path.join(REPO_ROOT, 'libs/learned-metrics/fixtures/tiny-models');

/** A tenant's API key, as the edits CLI printed it (the key itself is stored nowhere). */
export interface IssuedApiKey {
  tenantId: string;
  keyId: string;
  scopes: string[];
  key: string;
}

/** The services that sign or verify the tenant context. */
const TENANT_CONTEXT_SERVICES: ReadonlySet<ServiceName> = new Set([
  'gateway',
  'edits',
  'captioning',
  'frame-selection',
  'metrics',
  'webhooks',
]);
/** The services that sign or verify upload and download URLs. */
const SIGNED_URL_SERVICES: ReadonlySet<ServiceName> = new Set(['gateway', 'edits', 'frame-selection']);
/** The built web page (apps/web), which the gateway serves at its origin. */
export const WEB_DIST = path.join(REPO_ROOT, 'apps', 'web', 'dist');
const TENANT_CLI = path.join(REPO_ROOT, 'services', 'edits', 'dist', 'cli', 'tenant.js');

export const DEFAULT_PORTS: Record<ServiceName, number> = {
  gateway: 4000,
  edits: 4101,
  captioning: 4102,
  'video-generation': 4103,
  'frame-selection': 4104,
  metrics: 4105,
  webhooks: 4106,
  'preview-generator': 50061,
  'preview-generator-2': 50062,
};

const formatDelay = (ms: number) => (ms < 1000 ? `${ms} ms` : `${Math.round(ms / 100) / 10} s`);

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** The platform's services, each a separate process, with what it takes to kill and restart one. */
export class RunningPlatform {
  private readonly children = new Map<ServiceName, ChildProcess>();
  /** Services stopped on purpose (kill, stop): their exit is no crash. */
  private readonly stoppedOnPurpose = new Set<ServiceName>();
  private readonly startedAt = new Map<ServiceName, number>();
  private readonly restarts = new Map<ServiceName, number>();
  private readonly restartTimers = new Map<ServiceName, NodeJS.Timeout>();
  /** Milliseconds from spawning each instance to its first healthy answer, of its latest start. */
  readonly startupMs = new Map<ServiceName, number>();
  private supervising = false;
  private stopping = false;

  /** The processes this platform runs, in start order. */
  readonly instances: ServiceName[];
  /** The secret the gateway signs tenant contexts with (tests forge and check signatures with it). */
  readonly tenantContextSecret: string;
  /** Encrypts the webhook endpoints' secrets at rest (WEBHOOK_SECRET_ENCRYPTION_KEY). */
  readonly webhookEncryptionKey: string;
  /** The secret upload and download URLs are signed with (tests forge and tamper with them). */
  readonly signedUrlSecret: string;
  /** The bootstrap tenant's read/write/admin key, created by startPlatform. */
  bootstrap: IssuedApiKey | undefined;

  constructor(
    readonly options: PlatformOptions,
    readonly ports: Record<ServiceName, number>,
  ) {
    this.tenantContextSecret = options.tenantContextSecret ?? randomBytes(32).toString('hex');
    this.webhookEncryptionKey = options.webhookEncryptionKey ?? randomBytes(32).toString('hex');
    this.signedUrlSecret = options.signedUrlSecret ?? randomBytes(32).toString('hex');
    const generators = options.previewGenerators ?? 1;
    this.instances = [
      ...(generators === 2 ? (['preview-generator-2'] as const) : []),
      ...SERVICE_NAMES.filter((n) => n !== 'preview-generator' || generators > 0),
    ];
  }

  get gatewayUrl(): string {
    return `http://127.0.0.1:${this.ports.gateway}/graphql`;
  }

  /** Where signed URLs point: the gateway's origin. */
  get publicBaseUrl(): string {
    return this.options.publicBaseUrl ?? `http://127.0.0.1:${this.ports.gateway}`;
  }

  /** The bootstrap tenant's key (read, write, admin): send it as `Authorization: Bearer <key>`. */
  get apiKey(): string {
    if (!this.bootstrap) throw new Error('the platform has no bootstrap key yet');
    return this.bootstrap.key;
  }

  get tenantId(): string {
    if (!this.bootstrap) throw new Error('the platform has no bootstrap tenant yet');
    return this.bootstrap.tenantId;
  }

  /** Creates a tenant (when new) with a key of these scopes, through the edits CLI an operator uses. */
  createTenant(tenantId: string, scopes: string[] = ['read', 'write', 'admin']): Promise<IssuedApiKey> {
    return this.tenantCli(['create', tenantId, '--name', tenantId, '--scopes', scopes.join(','), '--json']);
  }

  /** Creates another key of an existing tenant. */
  createApiKey(tenantId: string, scopes: string[], name = 'test'): Promise<IssuedApiKey> {
    return this.tenantCli(['key', tenantId, '--scopes', scopes.join(','), '--key-name', name, '--json']);
  }

  private async tenantCli(args: string[]): Promise<IssuedApiKey> {
    const { stdout } = await promisify(execFile)(process.execPath, [TENANT_CLI, ...args], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH ?? '', DATABASE_URL: this.databaseUrlOf('edits') },
    });
    return JSON.parse(stdout) as IssuedApiKey;
  }

  /** The URL a service connects with: its own role, granted its own schema only. */
  databaseUrlOf(service: string): string {
    const owner = dataOwner(service);
    return ownerDatabaseUrl(this.options.databaseUrl, owner, ownerPassword(owner));
  }

  envFor(name: ServiceName): Record<string, string> {
    const o = this.options;
    const p = this.ports;
    const common = {
      DATABASE_URL: this.databaseUrlOf(serviceOf(name)),
      KAFKA_BROKERS: o.kafkaBrokers,
      KAFKA_TOPIC_PREFIX: o.topicPrefix,
      BLOB_DIR: o.blobDir,
      LOG_LEVEL: o.logLevel ?? 'info',
      HOST: '127.0.0.1',
      PORT: String(p[name]),
      ...(o.otlpEndpoint ? { OTEL_EXPORTER_OTLP_ENDPOINT: o.otlpEndpoint } : {}),
    };
    const specific: Partial<Record<ServiceName, Record<string, string>>> = {
      'preview-generator': { STEP_DELAY_MS: String(o.stepDelayMs ?? 10), MAX_CONCURRENT: '1' },
      'preview-generator-2': { STEP_DELAY_MS: String(o.stepDelayMs ?? 10), MAX_CONCURRENT: '1' },
      edits: { DEFAULT_MODEL: 'preview' },
      metrics: { METRIC_MODELS_DIR: o.metricModelsDir ?? DEFAULT_METRIC_MODELS_DIR },
      'video-generation': {
        GENERATOR_ADDRESSES: this.instances
          .filter((n) => serviceOf(n) === 'preview-generator')
          .map((n) => `127.0.0.1:${p[n]}`)
          .join(','),
        WORKER_COOL_DOWN_MS: '500',
      },
      gateway: {
        EDITS_URL: `http://127.0.0.1:${p.edits}/graphql`,
        CAPTIONING_URL: `http://127.0.0.1:${p.captioning}/graphql`,
        FRAME_SELECTION_URL: `http://127.0.0.1:${p['frame-selection']}/graphql`,
        METRICS_URL: `http://127.0.0.1:${p.metrics}/graphql`,
        WEBHOOKS_URL: `http://127.0.0.1:${p.webhooks}/graphql`,
        // The web page (apps/web), served at the gateway's origin once built.
        ...(existsSync(WEB_DIST) ? { WEB_DIR: WEB_DIST } : {}),
      },
      // A local platform: receivers run on this machine (127.0.0.1, plain http). Production keeps
      // both flags off (https to public addresses only).
      webhooks: {
        WEBHOOK_SECRET_ENCRYPTION_KEY: this.webhookEncryptionKey,
        WEBHOOK_ALLOW_HTTP: 'true',
        WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
      },
    };
    const secret: Record<string, string> = TENANT_CONTEXT_SERVICES.has(name)
      ? { TENANT_CONTEXT_SECRET: this.tenantContextSecret }
      : {};
    const signedUrls: Record<string, string> = SIGNED_URL_SERVICES.has(name)
      ? {
          SIGNED_URL_SECRET: this.signedUrlSecret,
          ...(name === 'gateway' ? {} : { PUBLIC_BASE_URL: this.publicBaseUrl }),
        }
      : {};
    return { ...common, ...secret, ...signedUrls, ...specific[name], ...o.env?.[name] };
  }

  /** The process id of a running service (undefined when it is not running). */
  pid(name: ServiceName): number | undefined {
    const child = this.children.get(name);
    return child && child.exitCode === null && child.signalCode === null ? child.pid : undefined;
  }

  /** How often the supervisor has restarted a service since it last stayed up (0: never). */
  restartCount(name: ServiceName): number {
    return this.restarts.get(name) ?? 0;
  }

  /** Turns supervision on (when the options ask for it): from now on a crashed service is restarted. */
  superviseFromNow(): void {
    this.supervising = Boolean(this.options.supervise) && !this.stopping;
  }

  /** Starts one service and waits until it reports healthy. */
  async start(name: ServiceName, timeoutMs = this.options.startTimeoutMs ?? 180_000): Promise<void> {
    this.stoppedOnPurpose.delete(name);
    clearTimeout(this.restartTimers.get(name));
    this.restartTimers.delete(name);
    const entry = path.join(REPO_ROOT, 'services', serviceOf(name), 'dist', 'main.js');
    const otel = Object.fromEntries(
      Object.entries(process.env).filter((e): e is [string, string] => e[0].startsWith('OTEL_') && !!e[1]),
    );
    const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...otel, ...this.envFor(name) };
    const logDir = this.options.logDir;
    const child = spawn(process.execPath, ['--enable-source-maps', entry], {
      cwd: REPO_ROOT,
      env,
      stdio: logDir ? ['ignore', 'pipe', 'pipe'] : 'inherit',
    });
    if (logDir) {
      mkdirSync(logDir, { recursive: true });
      const out = createWriteStream(path.join(logDir, `${name}.log`), { flags: 'a' });
      child.stdout?.pipe(out);
      child.stderr?.pipe(out);
    }
    this.children.set(name, child);
    this.startedAt.set(name, Date.now());
    let exited: number | null | undefined;
    child.once('exit', (code, signal) => {
      exited = code;
      this.onExit(name, child, code, signal);
    });
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (exited !== undefined)
        throw new Error(
          `${name} exited with code ${exited} while starting${logDir ? ` (see ${logDir}/${name}.log)` : ''}`,
        );
      if (await this.isHealthy(name)) {
        this.startupMs.set(name, Date.now() - (this.startedAt.get(name) ?? Date.now()));
        return;
      }
      await sleep(HEALTH_POLL_MS);
    }
    throw new Error(`${name} did not become healthy within ${timeoutMs} ms`);
  }

  /** A process exited: when it was no stop on purpose and supervision is on, restart it after a back-off. */
  private onExit(name: ServiceName, child: ChildProcess, code: number | null, signal: NodeJS.Signals | null) {
    if (this.children.get(name) !== child || this.stoppedOnPurpose.has(name)) return;
    if (!this.supervising || this.stopping) return;
    const supervision = typeof this.options.supervise === 'object' ? this.options.supervise : {};
    const { resetAfterMs } = { ...SUPERVISION_DEFAULTS, ...supervision };
    const log = supervision.log ?? ((line: string) => console.error(line));
    const upMs = Date.now() - (this.startedAt.get(name) ?? 0);
    const restart = (upMs >= resetAfterMs ? 0 : (this.restarts.get(name) ?? 0)) + 1;
    this.restarts.set(name, restart);
    const delay = restartDelay(restart, supervision);
    const how = code !== null ? `code ${code}` : `signal ${signal}`;
    log(`service ${name} exited with ${how}; restarting in ${formatDelay(delay)} (restart ${restart})`);
    const timer = setTimeout(() => {
      this.restartTimers.delete(name);
      if (this.stopping || this.stoppedOnPurpose.has(name)) return;
      this.start(name).then(
        () => log(`service ${name} is healthy again (restart ${restart})`),
        // An exit while starting schedules the next restart itself; anything else is reported.
        (error: unknown) => log(`service ${name}: restart ${restart} failed: ${(error as Error).message}`),
      );
    }, delay);
    this.restartTimers.set(name, timer);
  }

  private async isHealthy(name: ServiceName): Promise<boolean> {
    const port = this.ports[name];
    if (serviceOf(name) === 'preview-generator') {
      return new Promise((resolve) => {
        const socket = net.connect(port, '127.0.0.1', () => {
          socket.destroy();
          resolve(true);
        });
        socket.on('error', () => resolve(false));
      });
    }
    try {
      const res = await fetch(`http://127.0.0.1:${port}/health`);
      return res.ok && ((await res.json()) as { status: string }).status === 'ok';
    } catch {
      return false;
    }
  }

  /** Kills a service (SIGKILL simulates a crash) and waits for the process to be gone. */
  async kill(name: ServiceName, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.children.get(name);
    this.stoppedOnPurpose.add(name);
    clearTimeout(this.restartTimers.get(name));
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    await gone;
    this.children.delete(name);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    for (const timer of this.restartTimers.values()) clearTimeout(timer);
    this.restartTimers.clear();
    const order = [...this.instances].reverse();
    await Promise.all(
      order.map(async (name) => {
        const child = this.children.get(name);
        if (!child || child.exitCode !== null) return;
        const gone = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
        await gone;
        clearTimeout(timer);
      }),
    );
    this.children.clear();
  }
}

/** Starts every service as its own process and waits until all are healthy. */
export async function startPlatform(options: PlatformOptions): Promise<RunningPlatform> {
  const ports = { ...DEFAULT_PORTS };
  const taken = new Set<number>();
  for (const name of Object.keys(DEFAULT_PORTS) as ServiceName[]) {
    let port = options.ports?.[name] ?? (options.ports ? DEFAULT_PORTS[name] : await freePort());
    // The OS may hand a just-released port out again: every service gets a port of its own.
    while (!options.ports && taken.has(port)) port = await freePort();
    taken.add(port);
    ports[name] = port;
  }
  const platform = new RunningPlatform(options, ports);
  platform.bootstrap = await platform.createTenant(options.bootstrapTenant ?? 'default');
  try {
    await Promise.all(platform.instances.map((name) => platform.start(name)));
    platform.superviseFromNow();
  } catch (error) {
    await platform.stop();
    throw error;
  }
  return platform;
}
