import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

import { sleep } from '@f2f/common';
import { freePort, REPO_ROOT, type RunningPlatform, startPlatform } from '@f2f/launcher';
import { Kafka, logLevel } from 'kafkajs';

import type { PrismaClient as EditsClient } from '../../services/edits/src/database';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { waitForEditStatus } from '../support/edit-status';
import { testInfrastructure } from '../support/env';
import { makeImage } from '../support/factories';
import { FakeOpenAiServer } from '../support/fake-openai';
import { editsDatabase } from '../support/service-databases';
import { WebhookReceiver } from '../support/webhook-receiver';

/**
 * Operating the platform (issue #14) against real backends: a Jaeger (infra/jaeger.sh, built from
 * the Go module proxy) receives every service's spans over OTLP, a Prometheus (infra/prometheus.sh,
 * Debian's package) scrapes every service's /metrics and loads the alert rules, and one edit runs
 * through the platform. Then a SIGTERM to video-generation in the middle of a generation.
 */
jest.setTimeout(900_000);

const run = promisify(execFile);

let db: TestDatabase<EditsClient>;
let platform: RunningPlatform;
let logDir: string;
let topicPrefix: string;
const vlm = new FakeOpenAiServer();
const receiver = new WebhookReceiver();
const ports = { otlpGrpc: 0, otlpHttp: 0, jaegerUi: 0, prometheus: 0 };

const infraEnv = () => ({
  ...process.env,
  F2F_JAEGER_OTLP_PORT: String(ports.otlpGrpc),
  F2F_JAEGER_OTLP_HTTP_PORT: String(ports.otlpHttp),
  F2F_JAEGER_UI_PORT: String(ports.jaegerUi),
  F2F_PROMETHEUS_PORT: String(ports.prometheus),
});
const infra = (script: string, ...args: string[]) =>
  run('bash', [path.join(REPO_ROOT, 'infra', script), ...args], { env: infraEnv(), timeout: 600_000 });

async function gql<T>(query: string, variables: Record<string, unknown> = {}) {
  const res = await fetch(platform.gatewayUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${platform.apiKey}` },
    body: JSON.stringify({ query, variables }),
  });
  return (await res.json()) as { data?: T; errors?: { message: string; extensions?: { code?: string } }[] };
}

async function createEdit(steps = 10): Promise<string> {
  const res = await gql<{ createEdit: { id: string } }>(
    `mutation CreateTracedEdit($input: CreateEditInput!) { createEdit(input: $input) { id } }`,
    {
      input: {
        imageBase64: (await makeImage(160, 120)).toString('base64'),
        targetCaption: 'A photo of a sitting dog.',
        options: { seed: 7, frames: 9, steps },
      },
    },
  );
  expect(res.errors).toBeUndefined();
  return res.data!.createEdit.id;
}

/** Polled often: the shutdown test must catch the edit early in its generation. */
const waitForStatus = (id: string, statuses: string[], timeoutMs = 180_000) =>
  waitForEditStatus(gql, id, statuses, timeoutMs, 200);

interface JaegerSpan {
  spanID: string;
  operationName: string;
  startTime: number;
  processID: string;
  references: { refType: string; spanID: string }[];
  tags: { key: string; value: unknown }[];
}
interface JaegerTrace {
  spans: JaegerSpan[];
  processes: Record<string, { serviceName: string }>;
}

const TRACED_SERVICES = [
  'gateway',
  'edits',
  'captioning',
  'video-generation',
  'preview-generator',
  'metrics',
  'frame-selection',
];

/** The trace from Jaeger's query API once it holds spans of every service (spans arrive in batches). */
async function traceFromJaeger(traceId: string): Promise<JaegerTrace> {
  const deadline = Date.now() + 60_000;
  let services: string[] = [];
  while (Date.now() < deadline) {
    const res = await fetch(`http://127.0.0.1:${ports.jaegerUi}/api/traces/${traceId}`);
    if (res.ok) {
      const body = (await res.json()) as { data: JaegerTrace[] };
      const trace = body.data[0];
      services = [...new Set(Object.values(trace?.processes ?? {}).map((p) => p.serviceName))];
      if (TRACED_SERVICES.every((s) => services.includes(s))) {
        await sleep(1500); // the last batches of the same services
        const again = (await (
          await fetch(`http://127.0.0.1:${ports.jaegerUi}/api/traces/${traceId}`)
        ).json()) as { data: JaegerTrace[] };
        return again.data[0];
      }
    }
    await sleep(500);
  }
  throw new Error(`trace ${traceId} in Jaeger has spans of ${services.join(', ') || 'no service'} only`);
}

async function promQuery(
  expr: string,
): Promise<{ metric: Record<string, string>; value: [number, string] }[]> {
  const url = `http://127.0.0.1:${ports.prometheus}/api/v1/query?query=${encodeURIComponent(expr)}`;
  const body = (await (await fetch(url)).json()) as {
    status: string;
    data: { result: { metric: Record<string, string>; value: [number, string] }[] };
  };
  expect(body.status).toBe('success');
  return body.data.result;
}

/** The query's result once it is not empty (Prometheus scrapes every 2 s). */
async function promEventually(expr: string, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await promQuery(expr);
    if (result.length > 0 || Date.now() > deadline) return result;
    await sleep(1000);
  }
}

const HTTP_SERVICES = [
  'gateway',
  'edits',
  'captioning',
  'video-generation',
  'frame-selection',
  'metrics',
  'webhooks',
] as const;

beforeAll(async () => {
  const { kafkaBrokers } = testInfrastructure();
  for (const key of Object.keys(ports) as (keyof typeof ports)[]) ports[key] = await freePort();
  // Builds Jaeger once (cached in .cache/jaeger) and installs Prometheus when missing.
  await infra('jaeger.sh', 'start');
  db = await createTestDatabase('e2e', editsDatabase);
  const blobDir = await mkdtemp(path.join(os.tmpdir(), 'f2f-e2e-observability-'));
  logDir = path.join(REPO_ROOT, '.cache', 'test-logs', `observability-${Date.now()}`);
  topicPrefix = `e2eobs${randomBytes(4).toString('hex')}.`;
  await vlm.start();
  vlm.setDefault((request) =>
    JSON.stringify(request.body.messages).includes('The image displays the source photo')
      ? { text: 'The selected edit is:2', promptTokens: 900, completionTokens: 7 }
      : { text: 'The dog slowly sits down.', promptTokens: 500, completionTokens: 12 },
  );
  await receiver.start();
  const vlmEnv = { VLM_BASE_URL: vlm.baseUrl, VLM_MODEL: 'gpt-4o', VLM_TIMEOUT_MS: '5000' };
  platform = await startPlatform({
    databaseUrl: db.url,
    kafkaBrokers,
    topicPrefix,
    blobDir,
    logDir,
    // Slow enough steps that a SIGTERM lands in the middle of a generation.
    stepDelayMs: 150,
    previewGenerators: 1,
    otlpEndpoint: `http://127.0.0.1:${ports.otlpHttp}`,
    env: { captioning: vlmEnv, 'frame-selection': vlmEnv },
  });
  await infra('prometheus.sh', 'start', ...HTTP_SERVICES.map((s) => `127.0.0.1:${platform.ports[s]}`));
  const hook = await gql<{ createWebhookEndpoint: { secret: string } }>(
    `mutation($input: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $input) { secret } }`,
    { input: { url: receiver.url, events: ['frame.selected'] } },
  );
  expect(hook.errors).toBeUndefined();
  receiver.secret = hook.data!.createWebhookEndpoint.secret;
}, 900_000);

afterAll(async () => {
  await platform?.stop();
  await infra('prometheus.sh', 'stop').catch(() => undefined);
  await infra('jaeger.sh', 'stop').catch(() => undefined);
  await receiver.stop();
  await vlm.stop();
  await db?.drop();
});

let editId: string;
let traceId: string;

describe('one edit, traced and measured', () => {
  it('completes, and Edit.traceId names its trace', async () => {
    editId = await createEdit();
    expect(await waitForStatus(editId, ['COMPLETED', 'FAILED'])).toBe('COMPLETED');
    const res = await gql<{ edit: { traceId: string } }>(`query($id: ID!) { edit(id: $id) { traceId } }`, {
      id: editId,
    });
    traceId = res.data!.edit.traceId;
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
  });

  it('is one trace in Jaeger from the gateway through every Kafka hop and the gRPC worker, in causal order', async () => {
    const trace = await traceFromJaeger(traceId);
    const byId = new Map(trace.spans.map((s) => [s.spanID, s]));
    const serviceOf = (s: JaegerSpan) => trace.processes[s.processID].serviceName;
    const parentOf = (s: JaegerSpan) =>
      byId.get(s.references.find((r) => r.refType === 'CHILD_OF')?.spanID ?? '');
    // One tree: a single root (the gateway's request), every other span's parent in the trace.
    const roots = trace.spans.filter((s) => !parentOf(s));
    expect(roots.map((s) => `${serviceOf(s)}: ${s.operationName}`)).toEqual([
      expect.stringMatching(/^gateway: /),
    ]);
    // Causal order: a child never starts before its parent.
    for (const span of trace.spans) {
      const parent = parentOf(span);
      if (parent) expect(span.startTime).toBeGreaterThanOrEqual(parent.startTime);
    }
    /** The services on the path from the root to a span, each once, in order. */
    const pathOf = (span: JaegerSpan) => {
      const chain: string[] = [];
      for (let s: JaegerSpan | undefined = span; s; s = parentOf(s)) {
        if (chain[0] !== serviceOf(s)) chain.unshift(serviceOf(s));
      }
      return chain;
    };
    const firstOf = (service: string, name: RegExp) =>
      trace.spans.find((s) => serviceOf(s) === service && name.test(s.operationName));
    const worker = firstOf('preview-generator', /VideoGenerator\/Generate/);
    expect(worker).toBeDefined();
    expect(pathOf(worker!)).toEqual([
      'gateway',
      'edits',
      'captioning',
      'video-generation',
      'preview-generator',
    ]);
    // The worker's own phases, inside its span.
    const phases = trace.spans.filter((s) => parentOf(s) === worker).map((s) => s.operationName);
    expect(phases).toEqual(expect.arrayContaining(['worker denoise', 'worker decode frames']));
    const metrics = firstOf('metrics', /process video\.generated/);
    expect(pathOf(metrics!).slice(0, 4)).toEqual(['gateway', 'edits', 'captioning', 'video-generation']);
    const selection = firstOf('frame-selection', /process/);
    expect(pathOf(selection!)).toContain('video-generation');
    expect(pathOf(selection!).at(-1)).toBe('frame-selection');
    // The VLM calls (captioning's and frame selection's) and the database are in the trace.
    expect(firstOf('captioning', /^vlm /)).toBeDefined();
    expect(firstOf('frame-selection', /^vlm /)).toBeDefined();
    const sql = trace.spans.filter((s) =>
      s.tags.some((t) => t.key === 'db.system' || t.key === 'db.system.name'),
    );
    expect(new Set(sql.map(serviceOf))).toEqual(expect.objectContaining({ size: expect.any(Number) }));
    expect([...new Set(sql.map(serviceOf))]).toEqual(
      expect.arrayContaining(['edits', 'captioning', 'video-generation', 'metrics', 'frame-selection']),
    );
  });

  it('logs the trace id on every line of the edit, in every service', async () => {
    let lines = 0;
    const services = new Set<string>();
    for (const file of await readdir(logDir)) {
      for (const line of (await readFile(path.join(logDir, file), 'utf8')).split('\n')) {
        if (!line.includes(editId)) continue;
        let entry: { editId?: string; traceId?: string; service?: string };
        try {
          entry = JSON.parse(line) as typeof entry;
        } catch {
          continue;
        }
        if (entry.editId !== editId) continue;
        lines++;
        services.add(entry.service ?? file);
        expect({ line: lines, service: entry.service, traceId: entry.traceId }).toEqual({
          line: lines,
          service: entry.service,
          traceId,
        });
      }
    }
    expect(lines).toBeGreaterThan(5);
    expect([...services]).toEqual(expect.arrayContaining(['captioning', 'video-generation', 'edits']));
  });

  it('is measured by every family in a real Prometheus, with the alert rules loaded', async () => {
    const bad = await gql(
      `mutation { createEdit(input: { imageBase64: "bm90IGFuIGltYWdl", targetCaption: "x" }) { id } }`,
    );
    expect(bad.errors?.[0]?.extensions?.code).toBeDefined();
    await sleep(4000); // two scrapes after the edit
    const value = (r: { value: [number, string] }[]) => r.reduce((sum, x) => sum + Number(x.value[1]), 0);
    // Requests, latency and errors per operation.
    expect(
      value(
        await promEventually(
          'f2f_graphql_requests_total{service="gateway",operation="CreateTracedEdit",outcome="ok"}',
        ),
      ),
    ).toBe(1);
    expect(
      value(
        await promEventually(
          'f2f_graphql_request_duration_seconds_count{service="edits",operation=~"CreateTracedEdit.*"}',
        ),
      ),
    ).toBe(1);
    expect(
      value(await promEventually('f2f_graphql_requests_total{service="gateway",outcome!="ok"}')),
    ).toBeGreaterThanOrEqual(1);
    // Consumer lag per group and topic: every group caught up.
    const lag = await promEventually(`f2f_kafka_consumer_lag{topic="${topicPrefix}video.generated"}`);
    expect(lag.map((r) => r.metric.group)).toEqual(
      expect.arrayContaining([
        `${topicPrefix}metrics`,
        `${topicPrefix}frame-selection`,
        `${topicPrefix}edits`,
      ]),
    );
    expect(value(await promEventually('sum(f2f_kafka_consumer_lag)'))).toBe(0);
    // Outbox backlog and age, per producer.
    const backlog = await promEventually('f2f_outbox_backlog');
    expect(backlog.map((r) => r.metric.producer)).toEqual(
      expect.arrayContaining(['edits', 'captioning', 'video-generation', 'metrics', 'frame-selection']),
    );
    expect(value(await promEventually('max(f2f_outbox_oldest_age_seconds)'))).toBeLessThan(30);
    expect(value(await promEventually('sum(f2f_outbox_published_total)'))).toBeGreaterThan(5);
    // Stage durations.
    expect(
      value(
        await promEventually(
          'f2f_stage_duration_seconds_count{consumer="video-generation",event_type="caption.completed"}',
        ),
      ),
    ).toBe(1);
    // GPU pool size, busy and queued.
    const pool = (name: string) => promEventually(`${name}{service="video-generation"}`);
    expect(value(await pool('f2f_gpu_pool_capacity_slots'))).toBe(1);
    expect(value(await pool('f2f_gpu_pool_workers'))).toBe(1);
    expect(await pool('f2f_gpu_pool_busy_slots')).toHaveLength(1);
    expect(await pool('f2f_gpu_pool_queued')).toHaveLength(1);
    expect(value(await promEventually('f2f_generations_total{outcome="ok"}'))).toBe(1);
    // VLM calls, tokens and errors.
    expect(value(await promEventually('sum(f2f_vlm_calls_total{outcome="ok"})'))).toBeGreaterThanOrEqual(2);
    expect(value(await promEventually('sum(f2f_vlm_tokens_total{kind="prompt"})'))).toBeGreaterThanOrEqual(
      1400,
    );
    // Frames and bytes written.
    expect(value(await promEventually('f2f_frames_written_total'))).toBe(9);
    expect(value(await promEventually('sum(f2f_blob_bytes_written_total)'))).toBeGreaterThan(1000);
    // Webhook deliveries.
    expect(
      value(await promEventually('f2f_webhook_deliveries_total{outcome="delivered"}')),
    ).toBeGreaterThanOrEqual(1);
    // Edits: none stuck, one completed.
    expect(value(await promEventually('f2f_edits_unfinished'))).toBe(0);
    expect(value(await promEventually('f2f_edits_finished_total{status="COMPLETED"}'))).toBe(1);
    // The alert rules are loaded and evaluate without error, none firing on a healthy platform.
    const rules = (await (await fetch(`http://127.0.0.1:${ports.prometheus}/api/v1/rules`)).json()) as {
      data: { groups: { rules: { name: string; health: string; state: string }[] }[] };
    };
    const all = rules.data.groups.flatMap((g) => g.rules);
    expect(all.map((r) => r.name)).toEqual(
      expect.arrayContaining([
        'F2FEditsStuck',
        'F2FConsumerLagGrowing',
        'F2FGpuPoolSaturated',
        'F2FVlmFailing',
      ]),
    );
    expect(all.filter((r) => r.health !== 'ok' || r.state === 'firing')).toEqual([]);
  });

  it("answers liveness and readiness after checking each service's dependencies", async () => {
    for (const service of HTTP_SERVICES) {
      const base = `http://127.0.0.1:${platform.ports[service]}`;
      expect((await fetch(`${base}/health/live`)).status).toBe(200);
      const ready = await fetch(`${base}/health/ready`);
      const body = (await ready.json()) as { status: string; checks?: Record<string, string> };
      expect({ service, status: ready.status, body: body.status }).toEqual({
        service,
        status: 200,
        body: 'ok',
      });
      if (service !== 'gateway')
        expect(body.checks).toEqual(expect.objectContaining({ database: 'ok', consumer: 'ok' }));
    }
    const pool = (await (
      await fetch(`http://127.0.0.1:${platform.ports['video-generation']}/health/ready`)
    ).json()) as { checks: Record<string, string> };
    expect(pool.checks.gpuPool).toBe('1 worker(s)');
  });
});

describe('the alert rules', () => {
  it('pass promtool check rules and their unit tests (promtool test rules)', async () => {
    const dir = path.join(REPO_ROOT, 'infra', 'observability');
    const check = await run('promtool', ['check', 'rules', 'alerts.yml'], { cwd: dir });
    expect(check.stdout).toMatch(/SUCCESS: \d+ rules found/);
    const tests = await run('promtool', ['test', 'rules', 'alerts.test.yml'], { cwd: dir });
    expect(tests.stdout).toContain('SUCCESS');
  });
});

describe('graceful shutdown', () => {
  it('SIGTERM during a generation finishes it, commits its offset, and no stage is lost or repeated', async () => {
    const id = await createEdit(20); // 20 steps of 150 ms: SIGTERM lands in the middle
    await waitForStatus(id, ['GENERATING'], 120_000);
    await sleep(300); // a few denoising steps in
    await platform.kill('video-generation', 'SIGTERM');
    // The SIGTERM came with the caption.completed of this edit in hand (its generation running).
    const stopping = (await readFile(path.join(logDir, 'video-generation.log'), 'utf8'))
      .split('\n')
      .filter((l) => l.includes('shutting down: finishing the message in hand'))
      .map((l) => JSON.parse(l) as { messagesInHand: number });
    expect(stopping).toEqual([expect.objectContaining({ messagesInHand: 1 })]);
    // The generation in hand was finished and its events published before the process ended: the
    // edit completes with video-generation down.
    expect(await waitForStatus(id, ['COMPLETED', 'FAILED'], 120_000)).toBe('COMPLETED');
    // Its offset was committed: nothing is left for video-generation's group on caption.completed.
    const kafka = new Kafka({
      brokers: testInfrastructure().kafkaBrokers.split(','),
      logLevel: logLevel.NOTHING,
    });
    const admin = kafka.admin();
    await admin.connect();
    try {
      const topic = `${topicPrefix}caption.completed`;
      const [committed] = await admin.fetchOffsets({
        groupId: `${topicPrefix}video-generation`,
        topics: [topic],
      });
      const ends = await admin.fetchTopicOffsets(topic);
      const lag = committed.partitions.reduce((sum, p) => {
        const end = Number(ends.find((e) => e.partition === p.partition)!.high);
        return sum + (end - Math.max(0, Number(p.offset)));
      }, 0);
      expect(lag).toBe(0);
    } finally {
      await admin.disconnect();
    }
    // Started again, it repeats nothing; the history holds each stage once.
    await platform.start('video-generation');
    await sleep(3000);
    const res = await gql<{ edit: { history: { type: string }[]; frames: { id: string }[] } }>(
      `query($id: ID!) { edit(id: $id) { history { type } frames { id } } }`,
      { id },
    );
    const types = res.data!.edit.history.map((h) => h.type);
    for (const type of ['caption.completed', 'video.generated', 'frame.selected']) {
      expect({ type, count: types.filter((t) => t === type).length }).toEqual({ type, count: 1 });
    }
    expect(res.data!.edit.frames).toHaveLength(9);
    const log = await readFile(path.join(logDir, 'video-generation.log'), 'utf8');
    expect(log.split('\n').filter((l) => l.includes(id) && l.includes('already handled'))).toEqual([]);
  });
});
