import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';

import type { Infrastructure } from '@f2f/harness';
import { REPO_ROOT } from '@f2f/launcher';

/** The spec of the edits service that loads the synthetic history and times its own queries. */
export const QUERY_PLANS_SPEC = 'services/edits/src/persistence/__tests__/query-plans.int-spec.ts';

/** What the spec writes with QUERY_PLANS_JSON (see the spec's writeJson). */
export interface QueryPlansFigures {
  tenantEdits: number;
  runs: number;
  size: { edits: number; events: number; frames: number };
  load: { what: string; ms: number }[];
  /** Loading in all, VACUUM ANALYZE included. */
  loadWallMs: number;
  queries: { name: string; ms: number; p50: number; p95: number; seqScans: string[] }[];
}

/**
 * Runs the edits service's query-plans spec (its repositories' own SQL, on its migrated schema)
 * with `tenantEdits` edits for tenant A (B gets a fifth) and `runs` timed runs of each query, and
 * reads the figures it writes. The benchmark imports nothing of the service: it runs its test.
 */
export async function runQueryPlans(
  infra: Infrastructure,
  options: { tenantEdits: number; runs: number; output: string; logFile: string },
): Promise<QueryPlansFigures> {
  const jest = path.join(REPO_ROOT, 'node_modules', 'jest', 'bin', 'jest.js');
  const { createWriteStream } = await import('node:fs');
  const log = createWriteStream(options.logFile);
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(process.execPath, [jest, QUERY_PLANS_SPEC, '--selectProjects', 'integration'], {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        TEST_DATABASE_URL: infra.adminDatabaseUrl,
        KAFKA_BROKERS: infra.kafkaBrokers,
        QUERY_PLAN_EDITS: String(options.tenantEdits),
        QUERY_PLAN_RUNS: String(options.runs),
        QUERY_PLANS_JSON: options.output,
        QUERY_PLANS_DOC: '',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.pipe(log, { end: false });
    child.stderr.pipe(log, { end: false });
    child.on('error', reject);
    child.on('exit', resolve);
  });
  log.end();
  if (code !== 0) throw new Error(`the query-plans spec failed (exit ${code}); see ${options.logFile}`);
  return JSON.parse(await readFile(options.output, 'utf8')) as QueryPlansFigures;
}
