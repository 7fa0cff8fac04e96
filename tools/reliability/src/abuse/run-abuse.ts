import { readFileSync } from 'node:fs';

import type { RunningPlatform, ServiceName } from '@f2f/launcher';

import { errorCodes, type Exchange, exchange, START_TIMEOUT_MS } from '@f2f/harness';
import type { AbuseCase } from './case';
import type { AbuseContext } from './fixtures';

/** The limits an answer must keep. */
export const SLOW_MS = 2000;
export const MEMORY_LIMIT_BYTES = 1024 ** 3;
/** Codes that mean "the server failed", not "the input was refused". */
const INTERNAL_CODES = new Set(['INTERNAL_SERVER_ERROR', 'INTERNAL']);
/** Documented refusals under load (unavailable, rate-limited); every other 5xx is a failure. */
const DOCUMENTED_STATUSES = new Set([503, 429]);

/** What one case did. */
export interface CaseResult {
  name: string;
  category: string;
  /** Services whose process exited during the case (started again afterwards). */
  crashed: ServiceName[];
  /** Services that stopped answering their health check after the case (killed and started again). */
  hung: ServiceName[];
  /** Internal errors shown to the client: a 5xx other than 503, an INTERNAL code, or no answer. */
  internalErrors: string[];
  leaked: boolean;
  longestMs: number;
  /** Status and codes of each answer, for the report of a failing case. */
  answers: string[];
}

/** Samples each service's peak resident memory (VmHWM) from /proc while the suite runs. */
export class MemorySampler {
  readonly peakBytes = new Map<ServiceName, number>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly platform: RunningPlatform) {}

  start(intervalMs = 100): void {
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.sample();
  }

  sample(): void {
    for (const name of this.platform.instances) {
      const pid = this.platform.pid(name);
      if (pid === undefined) continue;
      try {
        const hwm = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
        if (hwm) this.peakBytes.set(name, Math.max(this.peakBytes.get(name) ?? 0, Number(hwm[1]) * 1024));
      } catch {
        // The process exited between pid() and the read: the crash check reports it.
      }
    }
  }
}

function internalError(e: Exchange): string | undefined {
  if (e.networkError) return `no answer (${e.networkError})`;
  if (e.status >= 500 && !DOCUMENTED_STATUSES.has(e.status)) return `HTTP ${e.status}`;
  const internal = errorCodes(e).find((code) => INTERNAL_CODES.has(code));
  return internal ? `${internal} (HTTP ${e.status})` : undefined;
}

/** Whether an answer's data holds one of B's markers that the request did not itself send. */
function holdsMarker(e: Exchange, markers: string[]): boolean {
  const data = e.json?.data;
  if (data == null) return false;
  const text = JSON.stringify(data);
  return markers.some((m) => text.includes(m) && !(e.sent ?? '').includes(m));
}

const summary = (e: Exchange) =>
  `${e.status}${errorCodes(e).length ? ` ${[...new Set(errorCodes(e))].join(',')}` : ''}${e.networkError ? ' no-answer' : ''} ${Math.round(e.ms)}ms`;

const HTTP_SERVICES = ['gateway', 'edits', 'captioning', 'frame-selection', 'metrics', 'webhooks'] as const;

/**
 * Services that no longer answer /health within 5 s (an input left them busy for good): each is
 * killed and started again, so that the cases after it measure a working platform.
 */
async function restartHung(ctx: AbuseContext): Promise<ServiceName[]> {
  const hung: ServiceName[] = [];
  for (const name of HTTP_SERVICES) {
    const health = await exchange(
      { url: `http://127.0.0.1:${ctx.platform.ports[name]}/health`, method: 'GET' },
      5000,
    );
    if (health.status === 200) continue;
    hung.push(name);
    await ctx.platform.kill(name, 'SIGKILL');
    await ctx.platform.start(name, START_TIMEOUT_MS);
  }
  return hung;
}

/** Sends one case, then checks every answer and every service process. */
export async function runCase(ctx: AbuseContext, c: AbuseCase): Promise<CaseResult> {
  let exchanges: Exchange[];
  try {
    exchanges = await c.send(ctx);
  } catch (error) {
    exchanges = [
      { status: 0, body: '', json: undefined, ms: 0, networkError: `the case failed: ${String(error)}` },
    ];
  }
  const crashed = ctx.platform.instances.filter((name) => ctx.platform.pid(name) === undefined);
  for (const name of crashed) await ctx.platform.start(name, START_TIMEOUT_MS);
  const hung = exchanges.some((e) => e.networkError) ? await restartHung(ctx) : [];
  return {
    name: c.name,
    category: c.category,
    crashed,
    hung,
    internalErrors: exchanges.map(internalError).filter((x): x is string => x !== undefined),
    leaked:
      exchanges.some((e) => holdsMarker(e, ctx.bMarkers) || /root:x:0:0/.test(e.body)) ||
      (c.leaked?.(exchanges, ctx) ?? false),
    longestMs: Math.max(0, ...exchanges.map((e) => e.ms)),
    answers: exchanges.map(summary),
  };
}

/** Why a case fails (empty: it held). */
export function caseViolations(r: CaseResult): string[] {
  const out: string[] = [];
  if (r.crashed.length) out.push(`crashed ${r.crashed.join(', ')}`);
  if (r.hung.length) out.push(`left ${r.hung.join(', ')} not answering (restarted)`);
  if (r.internalErrors.length) out.push(`internal error: ${r.internalErrors.join('; ')}`);
  if (r.leaked) out.push("returned tenant B's data (or a server file) to tenant A");
  if (r.longestMs > SLOW_MS) out.push(`took ${Math.round(r.longestMs)} ms`);
  return out;
}
