import path from 'node:path';

import { GatewayClient, renderTable, startTestPlatform } from '@f2f/harness';

import { load } from '../gateway/load';
import { benchQueries, type BenchQuery } from '../gateway/queries';
import { type BenchServer, localSupergraph, startHiveGateway, startOurGateway } from '../gateway/servers';
import { interleave, ratio, type RunFigures, summarise, type Summary } from '../gateway/stats';
import { FINDINGS } from '../gateway/findings';
import { seedEdits } from '../gateway/seed';
import {
  type BenchContext,
  type BenchPart,
  type PartResult,
  type TargetRow,
  GATEWAY_UNDER_LOAD,
  withServiceEnv,
} from '../part';

const CONNECTIONS = 50;
const FRAMES = 49;

interface Settings {
  edits: number;
  warmupS: number;
  runS: number;
  rounds: number;
}

/** Full: 2 queries × 3 gateways × (5 s warm-up + 2 rounds × 10 s) ≈ 150 s of load. */
const settings = (quick: boolean): Settings =>
  quick ? { edits: 1, warmupS: 1, runS: 3, rounds: 1 } : { edits: 3, warmupS: 5, runS: 10, rounds: 2 };

/** A gateway under test: where it listens and what a client sends it. */
interface Target {
  name: string;
  url: string;
  headers: Record<string, string>;
  /** Its process, to measure its CPU time per request. */
  pid: number | undefined;
}

/** Each gateway answers the query completely (data, no errors) before it is loaded. */
async function checkAnswers(target: Target, query: BenchQuery): Promise<void> {
  const res = await fetch(target.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...target.headers },
    body: query.body,
  });
  const json = (await res.json()) as { data?: Record<string, unknown>; errors?: unknown[] };
  if (!res.ok || json.errors?.length || !json.data || !query.complete(json.data))
    throw new Error(
      `${target.name} answered "${query.name}" incompletely (HTTP ${res.status}): ${JSON.stringify(json).slice(0, 400)}`,
    );
}

/** Warm-up, then `rounds` runs of each gateway in alternating order; the runs per gateway. */
async function measure(
  ctx: BenchContext,
  s: Settings,
  targets: Target[],
  query: BenchQuery,
): Promise<Map<string, RunFigures[]>> {
  const runs = new Map<string, RunFigures[]>(targets.map((t) => [t.name, []]));
  for (const t of targets) {
    await checkAnswers(t, query);
    await load({
      url: t.url,
      body: query.body,
      headers: t.headers,
      connections: CONNECTIONS,
      seconds: s.warmupS,
    });
  }
  for (let round = 0; round < s.rounds; round++) {
    for (const t of interleave(targets, round)) {
      const figures = await load({
        url: t.url,
        body: query.body,
        headers: t.headers,
        connections: CONNECTIONS,
        seconds: s.runS,
        pid: t.pid,
      });
      const rps = (figures.requests / figures.seconds).toFixed(0);
      ctx.log(`${query.name}, ${t.name}, round ${round + 1}: ${rps} req/s`);
      runs.get(t.name)?.push(figures);
    }
  }
  return runs;
}

const ms = (v: number) => (Number.isFinite(v) ? `${v.toFixed(1)}` : '-');

function report(results: { query: string; by: Map<string, Summary> }[], s: Settings): PartResult {
  const targets: TargetRow[] = [];
  const rows: (string | number)[][] = [];
  for (const { query, by } of results) {
    const hive = by.get(HIVE);
    for (const [name, sum] of by) {
      const r = hive ? ratio(sum.rps, hive.rps) : 0;
      rows.push([
        query,
        name,
        sum.rps.toFixed(0),
        sum.runRps.map((v) => v.toFixed(0)).join(' / '),
        ms(sum.p50Ms),
        ms(sum.p95Ms),
        ms(sum.cpuMsPerRequest),
        sum.failed,
        name === HIVE ? '1' : `${r.toFixed(2)}×`,
      ]);
      if (name !== HIVE)
        targets.push({
          name: `gateway req/s ÷ Hive Gateway's, ${query}, ${name}`,
          measured: `${r.toFixed(2)}× (p95 ${ms(sum.p95Ms)} vs ${ms(hive?.p95Ms ?? Number.NaN)} ms; CPU/req ${ms(sum.cpuMsPerRequest)} vs ${ms(hive?.cpuMsPerRequest ?? Number.NaN)} ms)`,
          target: '≥ 1.0×',
          holds: r >= 1 && sum.failed === 0,
        });
    }
  }
  const table = renderTable(
    ['query', 'gateway', 'req/s', 'req/s per run', 'p50 ms', 'p95 ms', 'CPU ms/req', 'failed', '÷ Hive'],
    rows,
  );
  const markdown = `Method: every service of the platform as its own process (startTestPlatform) on a fresh
database, ${s.edits} edit(s) of ${FRAMES} frames seeded through the gateway and waited for (COMPLETED, metrics in);
three gateways on the same subgraphs: the project's with \`AUTH_DISABLED_TENANT\` (no key lookup,
no rate limit; it still signs the tenant context, once per request), Hive Gateway
(\`@graphql-hive/gateway\`'s runtime on the same supergraph file, signing the same tenant context
per subgraph request), and the project's with API keys (the platform's, rate limit raised). Both of
ours log at \`warn\`, as Hive does. autocannon, ${CONNECTIONS} connections, per query and gateway:
${s.warmupS} s warm-up, then ${s.rounds} run(s) of ${s.runS} s, the gateways in alternating order
each round (A B C, C B A). req/s = answers ÷ seconds over all runs; p50/p95 over every answer's
latency; CPU ms/req = the gateway process's CPU time (/proc) ÷ its answers, the figure least
disturbed by other load on the machine; ÷ Hive = req/s ÷ Hive's req/s. The subgraphs run on the same
cores, so req/s is bounded by them as much as by the gateway: compare the ratios and CPU ms/req, not
absolute figures.

${table}

${FINDINGS}`;
  return {
    targets,
    markdown,
    figures: Object.fromEntries(results.map((r) => [r.query, Object.fromEntries(r.by)])),
  };
}

const OURS_OFF = 'ours, auth off';
const HIVE = 'Hive Gateway';
const OURS_ON = 'ours, API key';

async function runGateway(ctx: BenchContext): Promise<PartResult> {
  const s = settings(ctx.quick);
  const test = await startTestPlatform(
    ctx.infra,
    'benchgw',
    withServiceEnv(ctx, {
      gateway: GATEWAY_UNDER_LOAD,
      edits: { MAX_UNFINISHED_EDITS_PER_TENANT: '1000' },
    }),
  );
  const servers: BenchServer[] = [];
  try {
    const { platform } = test;
    ctx.log(`platform up (logs in ${test.logDir}); seeding ${s.edits} edit(s) of ${FRAMES} frames`);
    const client = new GatewayClient(platform.gatewayUrl, platform.apiKey);
    const ids = await seedEdits(client, s.edits, FRAMES, 240_000);
    const supergraph = await localSupergraph(platform, path.join(ctx.workDir, 'supergraph.graphql'));
    const ours = await startOurGateway(
      platform,
      'gateway-auth-off',
      { AUTH_DISABLED_TENANT: platform.tenantId, LOG_LEVEL: 'warn' },
      ctx.workDir,
    );
    servers.push(ours);
    const hive = await startHiveGateway(
      supergraph,
      platform.tenantId,
      platform.tenantContextSecret,
      ctx.workDir,
    );
    servers.push(hive);
    const targets: Target[] = [
      { name: OURS_OFF, url: ours.url, headers: {}, pid: ours.child.pid },
      { name: HIVE, url: hive.url, headers: {}, pid: hive.child.pid },
      {
        name: OURS_ON,
        url: platform.gatewayUrl,
        headers: { authorization: `Bearer ${platform.apiKey}` },
        pid: platform.pid('gateway'),
      },
    ];
    const results: { query: string; by: Map<string, Summary> }[] = [];
    for (const query of benchQueries(ids[0], FRAMES, ids.length)) {
      const runs = await measure(ctx, s, targets, query);
      results.push({ query: query.name, by: new Map([...runs].map(([k, v]) => [k, summarise(v)])) });
    }
    return report(results, s);
  } finally {
    for (const server of servers.reverse()) await server.stop();
    await test.stop();
  }
}

export const gateway: BenchPart = {
  id: 'gateway',
  title: 'Gateway throughput',
  summary:
    'requests/s and p95 of the gateway versus @graphql-hive/gateway on the same supergraph and subgraphs',
  run: runGateway,
};
