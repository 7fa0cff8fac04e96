import type { Infrastructure } from '@f2f/harness';
import type { PlatformOptions } from '@f2f/launcher';

/** The benchmarks, in the order `npm run bench` runs them. */
export const PART_IDS = ['overhead', 'gateway', 'subscriptions', 'frames', 'stages', 'database'] as const;
export type PartId = (typeof PART_IDS)[number];

/** One figure set against its target (a row of BENCHMARKS.md's summary). */
export interface TargetRow {
  /** What is measured, e.g. "platform ÷ bare, median of 20 edits". */
  name: string;
  /** The figure as shown, e.g. "1.021×". */
  measured: string;
  /** The target as shown, e.g. "≤ 1.03×". */
  target: string;
  /** Whether the figure meets the target; undefined for a figure reported without a target. */
  holds?: boolean;
}

/** What one benchmark found. */
export interface PartResult {
  targets: TargetRow[];
  /** Its section of BENCHMARKS.md (tables, method, what helped and what did not), without its title. */
  markdown: string;
  /** The raw figures, kept in benchmarks/<id>.json for whoever compares runs. */
  figures?: Record<string, unknown>;
}

/** What a benchmark is given: where the infrastructure is, and whether this is CI's reduced run. */
export interface BenchContext {
  infra: Infrastructure;
  /** CI's reduced run: few repetitions, short load phases; it checks the benchmark works, not the figures. */
  quick: boolean;
  /** Progress on stderr, prefixed by the part's id. */
  log(message: string): void;
  /** A folder of its own under .cache/bench for logs and scratch files. */
  workDir: string;
  /** Settings given with `--set service.NAME=value` (an A/B run), on top of each platform's own. */
  serviceEnv: ServiceEnv;
}

export type ServiceEnv = NonNullable<PlatformOptions['env']>;

/** The gateway under load: no rate limit in the way, logging only what goes wrong (as Hive Gateway). */
export const GATEWAY_UNDER_LOAD = {
  RATE_LIMIT_PER_SECOND: '100000',
  RATE_LIMIT_BURST: '1000000',
  LOG_LEVEL: 'warn',
} as const;

/** A part's own service settings with the run's `--set` ones over them. */
export function withServiceEnv(ctx: Pick<BenchContext, 'serviceEnv'>, own: ServiceEnv = {}): ServiceEnv {
  const merged: ServiceEnv = { ...own };
  for (const [service, env] of Object.entries(ctx.serviceEnv) as [keyof ServiceEnv, Record<string, string>][])
    merged[service] = { ...merged[service], ...env };
  return merged;
}

export interface BenchPart {
  id: PartId;
  title: string;
  /** What it measures, in one sentence (shown in `--help`). */
  summary: string;
  run(ctx: BenchContext): Promise<PartResult>;
}
