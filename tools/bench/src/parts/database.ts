import path from 'node:path';

import { GatewayClient, renderTable, startTestPlatform } from '@f2f/harness';

import { type BenchContext, type BenchPart, type PartResult, type TargetRow, withServiceEnv } from '../part';
import { perEdit, type PerEdit } from '../database/per-edit';
import { type QueryPlansFigures, QUERY_PLANS_SPEC, runQueryPlans } from '../database/query-plans';
import { EDIT_OPTIONS, runEdits } from '../database/real-edits';
import { tableStats } from '../database/table-stats.sql';

const PLAN = {
  full: { edits: 5, tenantEdits: 1_000_000, runs: 20 },
  quick: { edits: 1, tenantEdits: 2_000, runs: 5 },
};
/**
 * A backend flushes its table counters to the statistics at most once a second, and an idle one
 * only after 10 s: the second snapshot waits for them.
 */
const STATS_FLUSH_MS = 11_000;

/** Rows and bytes each service's tables gain per edit, over real edits through a platform. */
async function writesPerEdit(
  ctx: BenchContext,
  edits: number,
): Promise<{ rows: PerEdit[]; statuses: string[] }> {
  const started = await startTestPlatform(ctx.infra, 'benchdb', withServiceEnv(ctx));
  try {
    const { platform } = started;
    const client = new GatewayClient(platform.gatewayUrl, platform.apiKey);
    await new Promise((r) => setTimeout(r, STATS_FLUSH_MS));
    const before = await tableStats(platform.options.databaseUrl);
    ctx.log(`running ${edits} edits`);
    const statuses = await runEdits(client, edits, 180_000);
    await new Promise((r) => setTimeout(r, STATS_FLUSH_MS));
    const after = await tableStats(platform.options.databaseUrl);
    return { rows: perEdit(before, after, edits), statuses };
  } finally {
    await started.stop();
  }
}

const fmt = (v: number, digits = 1) => (Number.isInteger(v) ? String(v) : v.toFixed(digits));

function report(writes: { rows: PerEdit[]; statuses: string[] }, plans: QueryPlansFigures): PartResult {
  const totalRows = writes.rows.reduce((s, r) => s + r.inserted, 0);
  const totalBytes = writes.rows.reduce((s, r) => s + r.bytes, 0);
  const loadMs = plans.loadWallMs;
  const worst = plans.queries.reduce((w, q) => (q.p95 > w.p95 ? q : w));
  const history = plans.queries.filter((q) => !q.name.startsWith('analytics'));
  const analytics = plans.queries.filter((q) => q.name.startsWith('analytics'));
  const maxP95 = (qs: typeof plans.queries) => Math.max(...qs.map((q) => q.p95));
  const targets: TargetRow[] = [
    { name: 'database: rows inserted per edit (all schemas)', measured: fmt(totalRows), target: 'reported' },
    {
      name: 'database: bytes per edit (tables and indexes)',
      measured: `${(totalBytes / 1024).toFixed(0)} KiB`,
      target: 'reported',
    },
    {
      name: `database: worst p95 of the history queries at ${plans.size.edits} edits`,
      measured: `${maxP95(history).toFixed(1)} ms`,
      target: 'reported',
    },
    {
      name: `database: worst p95 of the analytics queries at ${plans.size.edits} edits`,
      measured: `${maxP95(analytics).toFixed(1)} ms`,
      target: 'reported',
    },
  ];
  const markdown = [
    `**Writes per edit.** ${writes.statuses.length} real edits (${JSON.stringify(EDIT_OPTIONS)}, 49 frames of 50 steps, one`,
    "after another) through a platform (startTestPlatform); each table's counters (pg_stat_user_tables: rows",
    'inserted, updated, deleted) and pg_total_relation_size before and after, divided by the number of edits',
    `(final statuses: ${writes.statuses.join(', ')}). Bytes grow by pages, so small tables show 0 or a page.`,
    '',
    renderTable(
      ['schema.table', 'inserted', 'updated', 'deleted', 'bytes'],
      [
        ...writes.rows.map((r) => [
          `${r.schema}.${r.table}`,
          fmt(r.inserted),
          fmt(r.updated),
          fmt(r.deleted),
          fmt(r.bytes, 0),
        ]),
        ['**all**', fmt(totalRows), '', '', fmt(totalBytes, 0)],
      ],
    ),
    '',
    `**Queries at ${plans.size.edits} edits** (${plans.size.events} history events, ${plans.size.frames} frames): the edits`,
    `service's own query-plans spec (${QUERY_PLANS_SPEC}: its repositories' SQL on its migrated schema,`,
    `tenant A ${plans.tenantEdits} edits over a year, tenant B a fifth), run by the benchmark; each query ${plans.runs}`,
    "times through the service's client (round trip included) after one EXPLAIN ANALYZE (execution: server side).",
    `Loading took ${(loadMs / 1000).toFixed(0)} s (generate_series per table, secondary indexes built after loading,`,
    'triggers off meanwhile; before: ~10 min at 1.2M with the indexes and foreign-key checks in place).',
    '',
    renderTable(
      ['query', 'execution ms', 'p50 ms', 'p95 ms', 'seq scans'],
      plans.queries.map((q) => [
        q.name,
        q.ms.toFixed(1),
        q.p50.toFixed(1),
        q.p95.toFixed(1),
        q.seqScans.join(', ') || 'none',
      ]),
    ),
    '',
    renderTable(
      ['loading step', 'ms'],
      plans.load.map((l) => [l.what, l.ms]),
    ),
    '',
    `Slowest p95: ${worst.name}, ${worst.p95.toFixed(1)} ms.`,
    '',
    '**What helped, what did not** (loading; shared 2-core machine, load average 15-25):',
    '',
    '- Helped: secondary indexes dropped before loading and built after (their definitions read back from the',
    "  catalog), and the tables' triggers (the foreign keys' checks) off during the load: at 1.2M edits",
    '  (5.04M history events) loading took 296-344 s instead of about 600 s (QUERY-PLANS.md before the change);',
    '  at 120k edits the spec ran in 46 s instead of 113 s.',
    "- Did not help: loading the tenants, and a tenant's history and frames, side by side on separate",
    '  connections (120k edits: 37 s against 35 s one statement at a time).',
    '- At 1.2M the query-plans spec took 7.6-8.8 min under that load (loading 296-344 s, 20 runs of each',
    '  query about 150-170 s, most of it the stage-latency analytics query at 4.4-5.3 s a run, at the edits',
    "  service's ANALYTICS_STATEMENT_TIMEOUT_MS default of 5 s): the 7-minute budget needs an idle machine",
    '  or a faster stage-latency query.',
  ].join('\n');
  return { targets, markdown, figures: { writesPerEdit: writes, queryPlans: plans } };
}

export const database: BenchPart = {
  id: 'database',
  title: 'Database',
  summary: 'rows and bytes written per edit, and the p95 of the history and analytics queries at 1M edits',
  async run(ctx) {
    const plan = ctx.quick ? PLAN.quick : PLAN.full;
    const writes = await writesPerEdit(ctx, plan.edits);
    ctx.log(`loading ${plan.tenantEdits} edits (+ a fifth) and timing the queries`);
    const plans = await runQueryPlans(ctx.infra, {
      tenantEdits: plan.tenantEdits,
      runs: plan.runs,
      output: path.join(ctx.workDir, 'query-plans.json'),
      logFile: path.join(ctx.workDir, 'query-plans.log'),
    });
    return report(writes, plans);
  },
};
