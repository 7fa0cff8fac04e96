import { randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { sleep } from '@f2f/common';
import { type IssuedApiKey, REPO_ROOT, type RunningPlatform, startPlatform } from '@f2f/launcher';

import type { PrismaClient as EditsClient } from '../../services/edits/src/database';
import { editsDatabase } from '../support/service-databases';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { testInfrastructure } from '../support/env';
import { makeImage } from '../support/factories';
import { receiverVerifies, WebhookReceiver } from '../support/webhook-receiver';

jest.setTimeout(300_000);

interface GraphqlError {
  message: string;
  extensions?: { code?: string; [key: string]: unknown };
}
interface GraphqlResponse<T> {
  status: number;
  data?: T;
  errors?: GraphqlError[];
}

let db: TestDatabase<EditsClient>;
let platform: RunningPlatform;
let a: IssuedApiKey;
let b: IssuedApiKey;
const receiverA = new WebhookReceiver();
const receiverB = new WebhookReceiver();

async function gql<T = Record<string, unknown>>(
  key: string,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<GraphqlResponse<T>> {
  const res = await fetch(platform.gatewayUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ query, variables }),
  });
  return { status: res.status, ...((await res.json()) as { data?: T; errors?: GraphqlError[] }) };
}

const codes = (res: { errors?: GraphqlError[] }) => (res.errors ?? []).map((e) => e.extensions?.code);

async function waitFor<T>(
  what: string,
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 120_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(250);
  }
}

const CREATE = `mutation($input: CreateWebhookEndpointInput!) {
  createWebhookEndpoint(input: $input) { secret endpoint { id url events enabled description } }
}`;

async function createEndpoint(key: string, input: Record<string, unknown>) {
  const res = await gql<{
    createWebhookEndpoint: { secret: string; endpoint: { id: string; url: string; events: string[] } };
  }>(key, CREATE, { input });
  expect(res.errors).toBeUndefined();
  return res.data!.createWebhookEndpoint;
}

async function createEdit(key: string) {
  const res = await gql<{ createEdit: { id: string } }>(
    key,
    `mutation($input: CreateEditInput!) { createEdit(input: $input) { id } }`,
    {
      input: {
        imageBase64: (await makeImage(96, 64)).toString('base64'),
        targetCaption: 'A photo of a sitting dog.',
        options: { seed: 3, steps: 4, frames: 9 },
      },
    },
  );
  expect(res.errors).toBeUndefined();
  return res.data!.createEdit.id;
}

const typesFor = (receiver: WebhookReceiver, editId: string) =>
  receiver.received
    .filter((r) => r.verified && r.answered === 200)
    .map((r) => JSON.parse(r.body) as { type: string; data: { editId: string } })
    .filter((e) => e.data.editId === editId)
    .map((e) => e.type);

beforeAll(async () => {
  const { kafkaBrokers } = testInfrastructure();
  db = await createTestDatabase('e2e_webhooks', editsDatabase);
  platform = await startPlatform({
    databaseUrl: db.url,
    kafkaBrokers,
    topicPrefix: `e2ew${randomBytes(4).toString('hex')}.`,
    blobDir: await mkdtemp(path.join(os.tmpdir(), 'f2f-e2e-webhooks-')),
    logDir: path.join(REPO_ROOT, '.cache', 'test-logs', `e2e-webhooks-${Date.now()}`),
    stepDelayMs: 10,
    bootstrapTenant: 'hooks-a',
    env: {
      webhooks: {
        WEBHOOK_RETRY_BASE_MS: '200',
        WEBHOOK_RETRY_MAX_MS: '1000',
        WEBHOOK_MAX_ATTEMPTS: '4',
        WEBHOOK_POLL_INTERVAL_MS: '100',
        WEBHOOK_TIMEOUT_MS: '2000',
      },
    },
  });
  a = platform.bootstrap!;
  b = await platform.createTenant('hooks-b');
  await receiverA.start();
  await receiverB.start();
});

afterAll(async () => {
  await platform?.stop();
  await receiverA.stop();
  await receiverB.stop();
  await db?.drop();
});

describe('webhooks through the gateway', () => {
  let endpointId: string;

  it('are managed with the admin scope only', async () => {
    const readWrite = await platform.createApiKey(a.tenantId, ['read', 'write']);
    for (const op of [
      '{ webhookEndpoints { id } }',
      '{ webhookEventTypes }',
      `mutation { createWebhookEndpoint(input: { url: "${receiverA.url}" }) { secret } }`,
    ])
      expect({ op, codes: codes(await gql(readWrite.key, op)) }).toEqual({ op, codes: ['FORBIDDEN'] });
    const types = await gql<{ webhookEventTypes: string[] }>(a.key, '{ webhookEventTypes }');
    expect(types.data!.webhookEventTypes).toEqual(
      expect.arrayContaining(['edit.requested', 'frame.selected']),
    );
  });

  it('refuses bad URLs and unknown event types (BAD_USER_INPUT)', async () => {
    for (const input of [
      { url: 'ftp://example.com/x' },
      { url: 'not a url' },
      { url: receiverA.url, events: ['edit.exploded'] },
    ])
      expect(codes(await gql(a.key, CREATE, { input }))).toEqual(['BAD_USER_INPUT']);
  });

  it('deliver every event of an edit, signed with the secret shown at creation; a 500 is retried', async () => {
    const created = await createEndpoint(a.key, { url: receiverA.url, description: 'all events' });
    endpointId = created.endpoint.id;
    expect(created.secret).toMatch(/^whsec_/);
    expect(created.endpoint).toMatchObject({ url: receiverA.url, events: ['*'] });
    receiverA.secret = created.secret;
    receiverA.script = [500];

    const editId = await createEdit(a.key);
    const types = await waitFor('the edit lifecycle at the receiver', () => {
      const got = typesFor(receiverA, editId);
      return got.includes('frame.selected') && got.includes('metrics.computed') ? got : undefined;
    });
    expect(types).toEqual(expect.arrayContaining(['edit.requested', 'caption.completed', 'video.generated']));
    expect(receiverA.received.every((r) => r.verified)).toBe(true);
    // Each event once at the receiver (by its id), whatever the retries.
    const ok = receiverA.received
      .filter((r) => r.answered === 200)
      .map((r) => JSON.parse(r.body).id as string);
    expect(new Set(ok).size).toBe(ok.length);
    const first = receiverA.received[0];
    expect(first.answered).toBe(500);
    expect(first.headers).toMatchObject({ 'f2f-webhook-id': endpointId, 'f2f-delivery-attempt': '1' });
    // A wrong secret does not verify these requests.
    expect(
      receiverVerifies(first.body, first.headers['f2f-signature'] as string, `whsec_${'x'.repeat(43)}`),
    ).toBe(false);

    // The delivery log shows the retried delivery with both attempts.
    const logged = await gql<{
      webhookEndpoint: {
        deliveries: {
          totalCount: number;
          edges: {
            node: {
              id: string;
              eventId: string;
              status: string;
              attempts: { attempt: number; statusCode: number }[];
            };
          }[];
        };
      };
    }>(
      a.key,
      `query($id: ID!) { webhookEndpoint(id: $id) { deliveries(first: 50, status: [SUCCEEDED]) {
        totalCount edges { cursor node { id eventId eventType editId status attemptCount payload
          attempts { attempt statusCode latencyMs error startedAt } } } pageInfo { hasNextPage endCursor } } } }`,
      { id: endpointId },
    );
    expect(logged.errors).toBeUndefined();
    const nodes = logged.data!.webhookEndpoint.deliveries.edges.map((e) => e.node);
    const retried = nodes.find((n) => n.eventId === JSON.parse(first.body).id)!;
    expect(retried.attempts.map((x) => [x.attempt, x.statusCode])).toEqual([
      [1, 500],
      [2, 200],
    ]);

    // Paging: one at a time reaches every delivery once.
    const seen: string[] = [];
    let after: string | null = null;
    do {
      const page: GraphqlResponse<{
        webhookEndpoint: {
          deliveries: {
            edges: { node: { id: string } }[];
            pageInfo: { hasNextPage: boolean; endCursor: string };
          };
        };
      }> = await gql(
        a.key,
        `query($id: ID!, $after: String) { webhookEndpoint(id: $id) { deliveries(first: 3, after: $after) {
          edges { node { id } } pageInfo { hasNextPage endCursor } } } }`,
        { id: endpointId, after },
      );
      const d = page.data!.webhookEndpoint.deliveries;
      seen.push(...d.edges.map((e) => e.node.id));
      after = d.pageInfo.hasNextPage ? d.pageInfo.endCursor : null;
    } while (after);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual(expect.arrayContaining(nodes.map((n) => n.id)));

    // Redelivery sends it again, signed.
    const before = receiverA.received.length;
    const redelivered = await gql<{ redeliverWebhook: { status: string } }>(
      a.key,
      `mutation($id: ID!) { redeliverWebhook(deliveryId: $id) { status } }`,
      { id: retried.id },
    );
    expect(redelivered.data!.redeliverWebhook.status).toBe('PENDING');
    await waitFor('the redelivery', () => receiverA.received.length > before);
  });

  it("are invisible to another tenant: not listed, null when read, NOT_FOUND when changed, and its edits' events stay its own", async () => {
    const delivery = await gql<{ webhookEndpoint: { deliveries: { edges: { node: { id: string } }[] } } }>(
      a.key,
      `query($id: ID!) { webhookEndpoint(id: $id) { deliveries(first: 1) { edges { node { id } } } } }`,
      { id: endpointId },
    );
    const deliveryId = delivery.data!.webhookEndpoint.deliveries.edges[0].node.id;

    const list = await gql<{ webhookEndpoints: unknown[] }>(b.key, '{ webhookEndpoints { id } }');
    expect(list.data!.webhookEndpoints).toEqual([]);
    const read = await gql<{ webhookEndpoint: unknown; webhookDelivery: unknown }>(
      b.key,
      `query($id: ID!, $d: ID!) { webhookEndpoint(id: $id) { id } webhookDelivery(id: $d) { id } }`,
      { id: endpointId, d: deliveryId },
    );
    expect(read.errors).toBeUndefined();
    expect(read.data).toEqual({ webhookEndpoint: null, webhookDelivery: null });
    for (const mutation of [
      `mutation { updateWebhookEndpoint(id: "${endpointId}", input: { enabled: false, url: "${receiverB.url}" }) { id } }`,
      `mutation { deleteWebhookEndpoint(id: "${endpointId}") }`,
      `mutation { rotateWebhookSecret(id: "${endpointId}") { secret } }`,
      `mutation { redeliverWebhook(deliveryId: "${deliveryId}") { id } }`,
    ])
      expect({ mutation, codes: codes(await gql(b.key, mutation)) }).toEqual({
        mutation,
        codes: ['NOT_FOUND'],
      });
    // Unchanged for its owner.
    const own = await gql<{ webhookEndpoint: { enabled: boolean; url: string } }>(
      a.key,
      `query($id: ID!) { webhookEndpoint(id: $id) { enabled url } }`,
      { id: endpointId },
    );
    expect(own.data!.webhookEndpoint).toEqual({ enabled: true, url: receiverA.url });

    // B's own endpoint, filtered to one type, gets B's edit only; A's receiver gets nothing of it.
    const mine = await createEndpoint(b.key, { url: receiverB.url, events: ['frame.selected'] });
    receiverB.secret = mine.secret;
    const editId = await createEdit(b.key);
    await waitFor('B receives its selection', () => typesFor(receiverB, editId).includes('frame.selected'));
    await waitFor('B’s edit completes', async () => {
      const r = await gql<{ edit: { status: string } }>(b.key, `{ edit(id: "${editId}") { status } }`);
      return r.data?.edit.status === 'COMPLETED';
    });
    await sleep(1_000);
    expect(typesFor(receiverB, editId)).toEqual(['frame.selected']);
    expect(typesFor(receiverA, editId)).toEqual([]);
  });

  it('are changed, rotated and deleted by their owner; the webhooks subgraph refuses calls around the gateway', async () => {
    const updated = await gql<{ updateWebhookEndpoint: { enabled: boolean; events: string[] } }>(
      a.key,
      `mutation($id: ID!) { updateWebhookEndpoint(id: $id, input: { enabled: false, events: ["edit.failed"] }) { enabled events } }`,
      { id: endpointId },
    );
    expect(updated.data!.updateWebhookEndpoint).toEqual({ enabled: false, events: ['edit.failed'] });
    const rotated = await gql<{ rotateWebhookSecret: { secret: string; previousSecretExpiresAt: string } }>(
      a.key,
      `mutation($id: ID!) { rotateWebhookSecret(id: $id) { secret previousSecretExpiresAt endpoint { id } } }`,
      { id: endpointId },
    );
    expect(rotated.data!.rotateWebhookSecret.secret).toMatch(/^whsec_/);
    expect(rotated.data!.rotateWebhookSecret.secret).not.toBe(receiverA.secret);
    const deleted = await gql<{ deleteWebhookEndpoint: string }>(
      a.key,
      `mutation($id: ID!) { deleteWebhookEndpoint(id: $id) }`,
      { id: endpointId },
    );
    expect(deleted.data!.deleteWebhookEndpoint).toBe(endpointId);
    expect((await gql(a.key, '{ webhookEndpoints { id } }')).data).toEqual({ webhookEndpoints: [] });

    const direct = await fetch(`http://127.0.0.1:${platform.ports.webhooks}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-f2f-tenant-id': a.tenantId },
      body: JSON.stringify({ query: '{ webhookEndpoints { id } }' }),
    });
    const body = (await direct.json()) as { errors?: GraphqlError[] };
    expect(codes(body)).toEqual(['UNAUTHENTICATED']);
  });
});
