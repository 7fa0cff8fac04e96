import { createDatabase, type PrismaClient as ServiceClient } from '../../database';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';

import { asTenantId, type TenantId } from '@f2f/database';
import { Prisma } from '../../database';

import { createTestDatabase, type TestDatabase } from '../../../../../test/support/database';
import {
  countEditsSql,
  countsSql,
  feedAfterSql,
  gpuSecondsSql,
  listEditsSql,
  metricMeansSql,
  selectionsSql,
  stageLatencySql,
  vlmTokensSql,
} from '../edit-queries.sql';

/**
 * The listing and the analytics on a large synthetic history: EXPLAIN (ANALYZE) of each query
 * must show no sequential scan of the tenant-scoped tables. QUERY_PLAN_EDITS sets tenant A's size
 * (tenant B gets a fifth of it); QUERY_PLANS_DOC=1 writes the plans and timings to
 * services/edits/QUERY-PLANS.md (`npm run query-plans -w @f2f/edits`). Each query then runs
 * QUERY_PLAN_RUNS times for its p50/p95; QUERY_PLANS_JSON=<file> writes the figures there as JSON
 * (the database benchmark, tools/bench, reads them).
 */
const EDITS = Number(process.env.QUERY_PLAN_EDITS ?? 50_000);
const RUNS = Math.max(1, Number(process.env.QUERY_PLAN_RUNS ?? 3));
const DAYS = 365;
const END = new Date('2026-11-01T00:00:00Z');
const TABLES = new Set(['edits', 'edit_events', 'frames', 'edit_frame_metrics']);

jest.setTimeout(1_800_000);

let db: TestDatabase<ServiceClient>;
const A = asTenantId('tenant-a');
const B = asTenantId('tenant-b');
const load: { what: string; ms: number }[] = [];
/** Loading from the first row to the end of VACUUM ANALYZE. */
let loadWallMs = 0;

async function timed(what: string, sql: string): Promise<void> {
  const start = Date.now();
  await db.prisma.$executeRawUnsafe(sql);
  load.push({ what, ms: Date.now() - start });
}

/** tenant's n edits over DAYS days up to END: 80% completed, 10% failed, 10% generating. */
async function loadTenant(tenantId: TenantId, n: number): Promise<void> {
  const span = DAYS * 86_400; // seconds
  await timed(
    `${n} edits of ${tenantId}`,
    `INSERT INTO edits (id, tenant_id, status, target_caption, source_key, source_width, source_height,
       source_bytes, source_sha256, source_mime, model, frame_count, steps, guidance, fps, seed,
       selected_candidate, selected_frame_index, selection_policy, original_policy, original_frame_index,
       original_candidate, metrics_ready, history_seq, created_at, updated_at)
     SELECT gen_random_uuid(), '${tenantId}',
       (CASE WHEN g % 10 < 8 THEN 'COMPLETED' WHEN g % 10 = 8 THEN 'FAILED' ELSE 'GENERATING' END)::"EditStatus",
       'A photo of thing ' || g, 'k', 320, 240, 1000, 'x', 'image/png',
       CASE WHEN g % 3 = 0 THEN 'preview' ELSE 'cogvideox-5b-i2v' END, 49, 50, 6, 8, 1,
       CASE WHEN g % 10 < 8 AND g % 7 <> 0 THEN 0 END,
       CASE WHEN g % 10 < 8 AND g % 7 <> 0 THEN (g % 12) * 4 + 4 END,
       CASE WHEN g % 10 < 8 THEN (CASE WHEN g % 20 = 0 THEN 'user' ELSE 'vlm' END) END,
       CASE WHEN g % 20 = 0 THEN 'vlm' END, CASE WHEN g % 20 = 0 THEN 12 END, CASE WHEN g % 20 = 0 THEN 0 END,
       g % 10 < 8, 5,
       timestamptz '${END.toISOString()}' - make_interval(secs => (g::float8 * ${span} / ${n})),
       timestamptz '${END.toISOString()}' - make_interval(secs => (g::float8 * ${span} / ${n}))
     FROM generate_series(1, ${n}) g`,
  );
  await timed(
    `history of ${tenantId} (5 events per completed edit, 1 otherwise)`,
    `INSERT INTO edit_events (tenant_id, edit_id, seq, event_id, type, key, payload, occurred_at, recorded_at)
     SELECT e.tenant_id, e.id, s.seq, gen_random_uuid(), s.type, s.type,
       CASE WHEN s.type = 'video.generated' THEN jsonb_build_object('computeSeconds', 20 + s.seq)
         WHEN s.type IN ('caption.completed', 'frame.selected') THEN jsonb_build_object('usage', jsonb_build_object(
           'calls', 1, 'promptTokens', 1200, 'completionTokens', 12, 'latencyMs', 900, 'model', 'gpt-4o'))
         ELSE '{}'::jsonb END,
       e.created_at + make_interval(secs => s.at), e.created_at + make_interval(secs => s.at + 0.05)
     FROM edits e
     CROSS JOIN LATERAL (VALUES (1, 'edit.requested', 0.0), (2, 'caption.completed', 1.5),
       (3, 'video.generated', 95.0), (4, 'frame.selected', 99.0), (5, 'metrics.computed', 101.0)) AS s(seq, type, at)
     WHERE e.tenant_id = '${tenantId}' AND (s.seq = 1 OR e.status = 'COMPLETED')`,
  );
  await timed(
    `kept frames of ${tenantId} and their metrics`,
    `WITH f AS (
       INSERT INTO frames (id, tenant_id, edit_id, candidate, seed, index, blob_key, raw_blob_key, width, height, bytes, sha256)
       SELECT gen_random_uuid(), e.tenant_id, e.id, 0, 1, e.selected_frame_index, 'k', 'k', 320, 240, 1, 'x'
       FROM edits e WHERE e.tenant_id = '${tenantId}' AND e.selected_frame_index IS NOT NULL
       RETURNING id, tenant_id, edit_id, index)
     INSERT INTO edit_frame_metrics (tenant_id, edit_id, candidate, index, ssim, psnr)
     SELECT tenant_id, edit_id, 0, index, 0.5 + index / 100.0, 20 + index / 4.0 FROM f`,
  );
}

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Actual Rows'?: number;
  'Actual Loops'?: number;
  'Actual Total Time'?: number;
  Plans?: PlanNode[];
}

function nodes(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(nodes)];
}

function tree(plan: PlanNode, depth = 0): string {
  const on = plan['Relation Name'] ? ` on ${plan['Relation Name']}` : '';
  const index = plan['Index Name'] ? ` using ${plan['Index Name']}` : '';
  const actual = ` (rows=${plan['Actual Rows']} loops=${plan['Actual Loops']} time=${plan['Actual Total Time']} ms)`;
  return [
    `${'  '.repeat(depth)}-> ${plan['Node Type']}${on}${index}${actual}`,
    ...(plan.Plans ?? []).map((p) => tree(p, depth + 1)),
  ].join('\n');
}

interface QueryResult {
  name: string;
  /** EXPLAIN ANALYZE's execution time (on the server, without the round trip). */
  ms: number;
  /** Wall time of RUNS plain executions through the service's client, round trip included. */
  p50: number;
  p95: number;
  plan: string;
  seqScans: string[];
}
const results: QueryResult[] = [];

/** The nearest-rank percentile of a sample (p in 0..100). */
const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];

async function timeRuns(sql: Prisma.Sql): Promise<{ p50: number; p95: number }> {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    await db.prisma.$queryRaw(sql);
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p95: percentile(times, 95) };
}

async function explain(name: string, sql: Prisma.Sql): Promise<void> {
  const [row] = await db.prisma.$queryRaw<{ 'QUERY PLAN': [{ Plan: PlanNode; 'Execution Time': number }] }[]>(
    Prisma.sql`EXPLAIN (ANALYZE, FORMAT JSON) ${sql}`,
  );
  const [{ Plan, 'Execution Time': ms }] = row['QUERY PLAN'];
  const seqScans = nodes(Plan)
    .filter((n) => n['Node Type'] === 'Seq Scan' && TABLES.has(n['Relation Name'] ?? ''))
    .map((n) => n['Relation Name']!);
  results.push({ name, ms, ...(await timeRuns(sql)), plan: tree(Plan), seqScans });
}

/**
 * Bulk loading as a restore does it: the secondary indexes of the loaded tables are dropped and
 * built again after the rows are in, and their triggers (the foreign keys' checks, which the
 * generated rows satisfy by construction) are off meanwhile. The schema after loading is the
 * migrated one: the same indexes (their definitions are read back from the catalog), the same
 * constraints.
 */
async function bulkLoad(insert: () => Promise<void>): Promise<void> {
  const tables = [...TABLES].map((t) => `'${t}'::regclass`).join(', ');
  const secondary = await db.prisma.$queryRawUnsafe<{ name: string; def: string }[]>(
    `SELECT i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS def FROM pg_index i
     WHERE i.indrelid IN (${tables})
       AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)`,
  );
  for (const { name } of secondary) await db.prisma.$executeRawUnsafe(`DROP INDEX ${name}`);
  for (const table of TABLES) await db.prisma.$executeRawUnsafe(`ALTER TABLE ${table} DISABLE TRIGGER ALL`);
  try {
    await insert();
  } finally {
    for (const table of TABLES) await db.prisma.$executeRawUnsafe(`ALTER TABLE ${table} ENABLE TRIGGER ALL`);
  }
  const start = Date.now();
  await Promise.all(secondary.map(({ def }) => db.prisma.$executeRawUnsafe(def)));
  load.push({ what: `${secondary.length} secondary indexes, built after loading`, ms: Date.now() - start });
}

beforeAll(async () => {
  db = await createTestDatabase('query_plans', createDatabase);
  await db.prisma.tenant.createMany({
    data: [
      { id: A, name: 'A' },
      { id: B, name: 'B' },
    ],
  });
  const start = Date.now();
  // One statement at a time: side by side (the tenants, and a tenant's history and frames, on
  // separate connections) was no faster on two cores (100k edits: 37 s against 35 s).
  await bulkLoad(async () => {
    await loadTenant(A, EDITS);
    await loadTenant(B, Math.round(EDITS / 5));
  });
  await timed('VACUUM ANALYZE', 'VACUUM ANALYZE');
  loadWallMs = Date.now() - start;
});
afterAll(async () => {
  if (process.env.QUERY_PLANS_DOC === '1') await writeDoc();
  if (process.env.QUERY_PLANS_JSON) await writeJson(process.env.QUERY_PLANS_JSON);
  await db.drop();
});

const windowOf = (days: number) => ({ from: new Date(END.getTime() - days * 86_400_000), to: END });

it('uses an index for every tenant-scoped path of the listing and the analytics', async () => {
  const [middle] = await db.prisma.$queryRaw<{ created_at: Date; id: string }[]>`
    SELECT created_at, id FROM edits WHERE tenant_id = ${A} ORDER BY created_at DESC, id DESC OFFSET ${Math.floor(EDITS / 2)} LIMIT 1`;
  const cursor = { createdAt: middle.created_at, id: middle.id };
  await explain('listing: first page (21 rows)', listEditsSql(A, {}, null, 21));
  await explain('listing: a page in the middle (cursor)', listEditsSql(A, {}, cursor, 21));
  await explain(
    'listing: status FAILED, GENERATING',
    listEditsSql(A, { status: ['FAILED', 'GENERATING'] }, cursor, 21),
  );
  await explain('listing: model preview', listEditsSql(A, { model: 'preview' }, null, 21));
  await explain('listing: selection policy user', listEditsSql(A, { selectionPolicy: 'user' }, cursor, 21));
  await explain(
    'listing: created in a week',
    listEditsSql(A, { createdAfter: windowOf(37).from, createdBefore: windowOf(30).from }, null, 21),
  );
  await explain(
    'listing: caption contains "thing 12"',
    listEditsSql(A, { captionContains: 'thing 12' }, null, 21),
  );
  await explain(
    'listing: all filters',
    listEditsSql(
      A,
      { status: ['COMPLETED'], model: 'preview', selectionPolicy: 'vlm', createdAfter: windowOf(90).from },
      null,
      21,
    ),
  );
  await explain('totalCount: status FAILED', countEditsSql(A, { status: ['FAILED'] }));
  await explain(
    'totalCount: created in the last 30 days',
    countEditsSql(A, { createdAfter: windowOf(30).from }),
  );
  const w = windowOf(30);
  const tenDaysBefore = new Date(END.getTime() - 10 * 86_400_000);
  await explain(
    'tenant feed: a page after a cursor 10 days back (201 rows)',
    feedAfterSql(A, { recordedAt: tenDaysBefore, id: 0n }, 201),
  );
  await explain('analytics (30 days): counts by status, day, model', countsSql(A, w));
  await explain('analytics (30 days): stage latency p50/p95', stageLatencySql(A, w));
  await explain('analytics (30 days): GPU-seconds per day', gpuSecondsSql(A, w));
  await explain('analytics (30 days): VLM tokens per day', vlmTokensSql(A, w));
  await explain('analytics (30 days): kept frame index, overrides, no edit', selectionsSql(A, w));
  await explain('analytics (30 days): mean metrics by model and policy', metricMeansSql(A, w));
  expect(results.filter((r) => r.seqScans.length > 0).map((r) => [r.name, r.seqScans])).toEqual([]);
});

async function sizes(): Promise<{ edits: number; events: number; frames: number }> {
  const [size] = await db.prisma.$queryRaw<{ edits: number; events: number; frames: number }[]>`
    SELECT (SELECT count(*) FROM edits)::int AS edits, (SELECT count(*) FROM edit_events)::int AS events,
      (SELECT count(*) FROM frames)::int AS frames`;
  return size;
}

/** The figures as JSON, for the database benchmark (tools/bench). */
async function writeJson(file: string): Promise<void> {
  const size = await sizes();
  const queries = results.map(({ plan: _plan, ...r }) => r);
  await writeFile(
    file,
    JSON.stringify({ tenantEdits: EDITS, runs: RUNS, size, load, loadWallMs, queries }, null, 2),
  );
}

async function writeDoc(): Promise<void> {
  const size = await sizes();
  const lines = [
    '# Query plans of the edits listing and analytics',
    '',
    'Generated by `npm run query-plans -w @f2f/edits` (services/edits/src/persistence/__tests__/query-plans.int-spec.ts',
    'with QUERY_PLANS_DOC=1); do not edit by hand. The same test runs, smaller, in the integration suite and fails',
    'on any sequential scan of edits, edit_events, frames or edit_frame_metrics.',
    '',
    `History: tenant A ${EDITS} edits over ${DAYS} days, tenant B ${Math.round(EDITS / 5)}; in all ${size.edits} edits,`,
    `${size.events} history events (VLM usage on caption.completed and frame.selected), ${size.frames} frames with metrics. Postgres on the`,
    'development machine (2 cores). Analytics windows: the last 30 days of the history.',
    '',
    '## Loading (generate_series; secondary indexes built after loading, triggers off meanwhile)',
    '',
    `In all ${loadWallMs} ms, VACUUM ANALYZE included.`,
    '',
    '| step | ms |',
    '| --- | ---: |',
    ...load.map((l) => `| ${l.what} | ${l.ms} |`),
    '',
    '## Queries',
    '',
    `Execution: EXPLAIN ANALYZE's execution time (server side); p50/p95: ${RUNS} runs of the query through the`,
    "service's client, round trip included.",
    '',
    '| query | execution ms | p50 ms | p95 ms | seq scans |',
    '| --- | ---: | ---: | ---: | --- |',
    ...results.map(
      (r) =>
        `| ${r.name} | ${r.ms.toFixed(1)} | ${r.p50.toFixed(1)} | ${r.p95.toFixed(1)} | ${r.seqScans.join(', ') || 'none'} |`,
    ),
    '',
    ...results.flatMap((r) => [`### ${r.name}`, '', '```', r.plan, '```', '']),
  ];
  await writeFile(path.resolve(__dirname, '../../../QUERY-PLANS.md'), lines.join('\n'));
}
