import 'reflect-metadata';

import http from 'node:http';
import type { AddressInfo } from 'node:net';

import { createLogger } from '@f2f/common';
import { generateApiKey } from '@f2f/platform';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';

import { testInfrastructure } from '../../../../test/support/env';
import { AppModule } from '../app.module';
import { RESOLVE_PATH } from '../auth/api-key-resolver';
import { type GatewayConfig, loadGatewayConfig } from '../config';

/**
 * The gateway's limits through a running gateway (its real module, the real supergraph, real
 * Kafka for its subscriptions): one HTTP server stands in for the subgraphs and the edits key
 * lookup, records what reaches it, and answers analytics slowly, so that the deadline shows.
 */
const DEADLINE_MS = 1_000;
const API_KEY = generateApiKey().key;
const SLOW_MS = 8_000;

interface SubgraphCall {
  query: string;
  /** The gateway closed the connection before the answer (its AbortSignal fired). */
  aborted: boolean;
}

let subgraphs: http.Server;
let config: GatewayConfig;
let app: INestApplication;
let gatewayUrl: string;
const calls: SubgraphCall[] = [];

function startSubgraphs(): Promise<string> {
  subgraphs = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      res.setHeader('content-type', 'application/json');
      if (req.url === RESOLVE_PATH) {
        res.end(
          JSON.stringify({ key: { tenantId: 'acme', keyId: 'k1', scopes: ['read', 'write', 'admin'] } }),
        );
        return;
      }
      const { query } = JSON.parse(Buffer.concat(chunks).toString()) as { query: string };
      const call: SubgraphCall = { query, aborted: false };
      calls.push(call);
      if (!query.includes('analytics')) {
        res.end(JSON.stringify({ data: { edit: { id: 'e1', status: 'COMPLETED' } } }));
        return;
      }
      const timer = setTimeout(() => res.end(JSON.stringify({ data: { analytics: { total: 1 } } })), SLOW_MS);
      res.on('close', () => {
        call.aborted = !res.writableFinished;
        clearTimeout(timer);
      });
    });
  });
  return new Promise((resolve) =>
    subgraphs.listen(0, '127.0.0.1', () =>
      resolve(`http://127.0.0.1:${(subgraphs.address() as AddressInfo).port}/graphql`),
    ),
  );
}

beforeAll(async () => {
  const subgraphUrl = await startSubgraphs();
  config = loadGatewayConfig({
    TENANT_CONTEXT_SECRET: 's'.repeat(32),
    SIGNED_URL_SECRET: 'u'.repeat(32),
    KAFKA_BROKERS: testInfrastructure().kafkaBrokers,
    EDITS_URL: subgraphUrl,
    CAPTIONING_URL: subgraphUrl,
    FRAME_SELECTION_URL: subgraphUrl,
    METRICS_URL: subgraphUrl,
    WEBHOOKS_URL: subgraphUrl,
    REQUEST_TIMEOUT_MS: String(DEADLINE_MS),
    RATE_LIMIT_PER_SECOND: '1000',
    RATE_LIMIT_BURST: '1000',
  });
  const logger = createLogger('gateway-test', 'silent');
  app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config, logger) as never, {
    logger: false,
  });
  (app as NestExpressApplication).useBodyParser('json', { limit: config.MAX_BODY_BYTES });
  await app.listen(0, '127.0.0.1');
  gatewayUrl = `http://127.0.0.1:${((app.getHttpServer() as http.Server).address() as AddressInfo).port}/graphql`;
}, 60_000);

afterAll(async () => {
  await app?.close();
  await new Promise((resolve) => subgraphs?.close(resolve));
});

beforeEach(() => {
  calls.length = 0;
});

interface Answer {
  status: number;
  ms: number;
  body: { data?: unknown; errors?: { message: string; extensions: Record<string, unknown> }[] };
}

async function graphql(query: string): Promise<Answer> {
  const started = performance.now();
  const res = await fetch(gatewayUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${API_KEY}` },
    body: JSON.stringify({ query }),
  });
  const body = (await res.json()) as Answer['body'];
  return { status: res.status, ms: performance.now() - started, body };
}

const ANALYTICS =
  'analytics(from: "2026-01-01T00:00:00Z", to: "2026-02-01T00:00:00Z") { total noEdit { share } }';
const aliases = (n: number, field: string) =>
  Array.from({ length: n }, (_, i) => `a${i}: ${field}`).join(' ');

describe('the gateway under attack', () => {
  it('refuses 5,000 aliases of analytics fast with QUERY_TOO_COMPLEX (over MAX_QUERY_TOKENS), calling no subgraph', async () => {
    const answer = await graphql(`{ ${aliases(5000, ANALYTICS)} }`);
    expect(answer.status).toBe(400);
    expect(answer.body.data).toBeUndefined();
    expect(answer.body.errors?.map((e) => e.extensions)).toEqual([
      { code: 'QUERY_TOO_COMPLEX', maxTokens: 5_000 },
    ]);
    expect(calls).toEqual([]);
    // It ran 23 s before the limits (at any load this machine sees, well under the deadline).
    expect(answer.ms).toBeLessThan(5_000);
    console.info(`5,000 aliases of analytics refused in ${Math.round(answer.ms)} ms`);
  });

  it('refuses 100 aliases of analytics (under the token limit) by cost, with the cost and the limit', async () => {
    const answer = await graphql(`{ ${aliases(100, ANALYTICS)} }`);
    expect(answer.status).toBe(400);
    expect(answer.body.errors?.map((e) => e.extensions)).toEqual([
      { code: 'QUERY_TOO_COMPLEX', cost: 100 * 503, maxCost: 20_000 },
    ]);
    expect(calls).toEqual([]);
  });

  it('refuses 500 aliased createUpload calls, and more than one createUpload per request (TOO_MANY_MUTATIONS)', async () => {
    const upload = 'createUpload(input: { contentType: "image/png", byteSize: 1000 }) { id url }';
    const five = await graphql(`mutation { ${aliases(500, upload)} }`);
    expect(five.status).toBe(400);
    expect(five.body.errors?.map((e) => e.extensions.code)).toEqual(['QUERY_TOO_COMPLEX']);
    const twenty = await graphql(`mutation { ${aliases(20, upload)} }`);
    expect(twenty.status).toBe(400);
    expect(twenty.body.errors?.map((e) => e.extensions)).toEqual([
      { code: 'TOO_MANY_MUTATIONS', count: 20, max: 10 },
    ]);
    const two = await graphql(`mutation { ${aliases(2, upload)} }`);
    expect(two.body.errors?.map((e) => e.extensions)).toEqual([
      { code: 'TOO_MANY_MUTATIONS', field: 'createUpload', count: 2, max: 1 },
    ]);
    expect(calls).toEqual([]);
  });

  it('answers a request past REQUEST_TIMEOUT_MS with REQUEST_TIMEOUT (504) and aborts its subgraph call', async () => {
    const answer = await graphql(`{ ${ANALYTICS} }`);
    expect(answer.status).toBe(504);
    expect(answer.body.data).toBeUndefined();
    expect(answer.body.errors?.map((e) => e.extensions)).toEqual([
      { code: 'REQUEST_TIMEOUT', timeoutMs: DEADLINE_MS },
    ]);
    expect(answer.ms).toBeGreaterThanOrEqual(DEADLINE_MS - 50);
    expect(answer.ms).toBeLessThan(SLOW_MS / 2);
    // The subgraph saw its connection closed before it answered.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(calls).toEqual([{ query: expect.stringContaining('analytics'), aborted: true }]);
  });

  it('passes a request within its limits and its deadline through to the subgraph', async () => {
    const answer = await graphql('{ edit(id: "e1") { id status } }');
    expect(answer).toMatchObject({
      status: 200,
      body: { data: { edit: { id: 'e1', status: 'COMPLETED' } } },
    });
    expect(answer.body.errors).toBeUndefined();
    expect(calls).toEqual([{ query: expect.stringContaining('edit'), aborted: false }]);
  });
});

describe('MUTATION_FIELD_LIMITS', () => {
  it('refuses to start with a field the supergraph does not have', () => {
    const limits = new Map([
      ['createEdit', 1],
      ['createEdits', 1],
    ]);
    expect(() =>
      AppModule.forRoot({ ...config, MUTATION_FIELD_LIMITS: limits }, createLogger('gateway-test', 'silent')),
    ).toThrow(/MUTATION_FIELD_LIMITS names createEdits/);
  });
});
