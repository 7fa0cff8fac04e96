import { randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { sleep } from '@f2f/common';
import { type IssuedApiKey, REPO_ROOT, type RunningPlatform, startPlatform } from '@f2f/launcher';
import { hashApiKey, signTenantContext, TENANT_CONTEXT_HEADER } from '@f2f/platform';

import type { PrismaClient as EditsClient } from '../../services/edits/src/database';
import { captioningDatabase, editsDatabase } from '../support/service-databases';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { waitForEditStatus } from '../support/edit-status';
import { testInfrastructure } from '../support/env';
import { makeImage } from '../support/factories';

jest.setTimeout(300_000);

interface GraphqlError {
  message: string;
  extensions?: { code?: string; [key: string]: unknown };
}
interface GraphqlResponse<T> {
  status: number;
  headers: Headers;
  data?: T;
  errors?: GraphqlError[];
}

let db: TestDatabase<EditsClient>;
let platform: RunningPlatform;
/** Tenants of this file: A owns the probed data, B probes it; C and D are for the limits. */
let a: IssuedApiKey;
let b: IssuedApiKey;

const MAX_UNFINISHED_EDITS = 2;
const RATE_BURST = 30;
const TRANSFER_BURST = 4;
const MAX_BODY_BYTES = 3 * 1024 * 1024;

async function post<T>(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<GraphqlResponse<T>> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  const json = text.startsWith('{') ? (JSON.parse(text) as { data?: T; errors?: GraphqlError[] }) : {};
  return { status: res.status, headers: res.headers, ...json };
}

/** A GraphQL request through the gateway with this key (none when key is undefined). */
const gql = <T = Record<string, unknown>>(
  key: string | undefined,
  query: string,
  variables: Record<string, unknown> = {},
) => post<T>(platform.gatewayUrl, { query, variables }, key ? { authorization: `Bearer ${key}` } : {});

const codes = (res: { errors?: GraphqlError[] }) => (res.errors ?? []).map((e) => e.extensions?.code);

async function createEdit(key: string, options: Record<string, unknown> = {}) {
  return gql<{ createEdit: { id: string; status: string } }>(
    key,
    `mutation($input: CreateEditInput!) { createEdit(input: $input) { id status } }`,
    {
      input: {
        imageBase64: (await makeImage(96, 64)).toString('base64'),
        targetCaption: 'A photo of a sitting dog.',
        options: { seed: 7, steps: 4, frames: 9, ...options },
      },
    },
  );
}

/** Waits, as the tenant of `key`, for one of `statuses` of an edit. */
const waitForStatus = (key: string, id: string, statuses: string[]) =>
  waitForEditStatus((query, variables) => gql(key, query, variables), id, statuses);

beforeAll(async () => {
  const { kafkaBrokers } = testInfrastructure();
  db = await createTestDatabase('e2e_tenancy', editsDatabase);
  platform = await startPlatform({
    databaseUrl: db.url,
    kafkaBrokers,
    topicPrefix: `e2et${randomBytes(4).toString('hex')}.`,
    blobDir: await mkdtemp(path.join(os.tmpdir(), 'f2f-e2e-tenancy-')),
    logDir: path.join(REPO_ROOT, '.cache', 'test-logs', `e2e-tenancy-${Date.now()}`),
    stepDelayMs: 20,
    bootstrapTenant: 'tenant-a',
    env: {
      gateway: {
        AUTH_CACHE_TTL_MS: '1000',
        RATE_LIMIT_PER_SECOND: '10',
        RATE_LIMIT_BURST: String(RATE_BURST),
        TRANSFER_RATE_LIMIT_PER_SECOND: '1',
        TRANSFER_RATE_LIMIT_BURST: String(TRANSFER_BURST),
        MAX_BODY_BYTES: String(MAX_BODY_BYTES),
      },
      edits: { MAX_UNFINISHED_EDITS_PER_TENANT: String(MAX_UNFINISHED_EDITS) },
    },
  });
  a = platform.bootstrap!;
  b = await platform.createTenant('tenant-b');
});

afterAll(async () => {
  await platform?.stop();
  await db?.drop();
});

describe('API keys', () => {
  it('are stored only as a SHA-256, never as the key', async () => {
    const row = await db.prisma.apiKey.findUniqueOrThrow({ where: { id: a.keyId } });
    expect(row.hash).toBe(hashApiKey(a.key));
    expect(JSON.stringify(row)).not.toContain(a.key.split('_')[2]);
    expect(a.key).toMatch(new RegExp(`^f2f_${row.prefix}_`));
    expect(row.scopes).toEqual(['read', 'write', 'admin']);
  });

  it('refuses a request without a key, with a malformed one and with an unknown one (UNAUTHENTICATED, 401)', async () => {
    const unknown = `f2f_${'0'.repeat(12)}_${randomBytes(32).toString('base64url')}`;
    for (const key of [undefined, 'not-a-key', unknown, `${a.key}x`]) {
      const res = await gql(key, '{ edits { edges { node { id } } } }');
      expect({ key, status: res.status, codes: codes(res), data: res.data }).toEqual({
        key,
        status: 401,
        codes: ['UNAUTHENTICATED'],
        data: undefined,
      });
    }
    // The same key as `x-api-key` works, as does the bearer form.
    const viaHeader = await post<{ edits: { edges: unknown[] } }>(
      platform.gatewayUrl,
      { query: '{ edits { edges { node { id } } } }' },
      { 'x-api-key': a.key },
    );
    expect(viaHeader.errors).toBeUndefined();
    expect(viaHeader.data!.edits.edges).toEqual([]);
  });

  it('are created (the key shown once), listed without the key and used, by an admin key only', async () => {
    const created = await gql<{
      createApiKey: { key: string; apiKey: { id: string; prefix: string; scopes: string[] } };
    }>(
      a.key,
      `mutation { createApiKey(name: "reader", scopes: [READ]) { key apiKey { id prefix scopes } } }`,
    );
    expect(created.errors).toBeUndefined();
    const { key, apiKey } = created.data!.createApiKey;
    expect(apiKey.scopes).toEqual(['READ']);
    expect(key.startsWith(`f2f_${apiKey.prefix}_`)).toBe(true);

    const listed = await gql<{ apiKeys: { id: string; name: string }[] }>(
      a.key,
      '{ apiKeys { id name prefix scopes createdAt revokedAt } }',
    );
    expect(listed.errors).toBeUndefined();
    expect(listed.data!.apiKeys.map((k) => k.id)).toEqual(expect.arrayContaining([a.keyId, apiKey.id]));
    expect(JSON.stringify(listed)).not.toContain(key.split('_')[2]);
    // There is no field to read a key or its hash back.
    expect(codes(await gql(a.key, '{ apiKeys { key } }'))).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(codes(await gql(a.key, '{ apiKeys { hash } }'))).toEqual(['GRAPHQL_VALIDATION_FAILED']);

    // The read key reads, and may neither write nor administer keys.
    expect((await gql(key, '{ edits { edges { node { id } } } }')).errors).toBeUndefined();
    const write = await createEdit(key);
    expect({ status: write.status, codes: codes(write) }).toEqual({ status: 403, codes: ['FORBIDDEN'] });
    expect(codes(await gql(key, '{ apiKeys { id } }'))).toEqual(['FORBIDDEN']);
    expect(codes(await gql(key, `mutation { createApiKey(name: "x", scopes: [ADMIN]) { key } }`))).toEqual([
      'FORBIDDEN',
    ]);
    // A write key writes but may not read; a read+write key may not administer keys.
    const writer = await platform.createApiKey(a.tenantId, ['write']);
    expect(codes(await gql(writer.key, '{ edits { edges { node { id } } } }'))).toEqual(['FORBIDDEN']);
    const readWrite = await platform.createApiKey(a.tenantId, ['read', 'write']);
    expect(codes(await gql(readWrite.key, `mutation { revokeApiKey(id: "${apiKey.id}") { id } }`))).toEqual([
      'FORBIDDEN',
    ]);
    expect(codes(await gql(readWrite.key, '{ apiKeys { id } }'))).toEqual(['FORBIDDEN']);
    expect(codes(await gql(a.key, `mutation { createApiKey(name: "none", scopes: []) { key } }`))).toEqual([
      'BAD_USER_INPUT',
    ]);
  });

  it('stop working within seconds of being revoked', async () => {
    const created = await gql<{ createApiKey: { key: string; apiKey: { id: string } } }>(
      a.key,
      `mutation { createApiKey(name: "short-lived", scopes: [READ]) { key apiKey { id } } }`,
    );
    const { key, apiKey } = created.data!.createApiKey;
    // Used once, so that the gateway holds the key in its cache when it is revoked.
    expect((await gql(key, '{ edits { edges { node { id } } } }')).errors).toBeUndefined();
    const revoked = await gql<{ revokeApiKey: { revokedAt: string | null } }>(
      a.key,
      `mutation($id: ID!) { revokeApiKey(id: $id) { revokedAt } }`,
      { id: apiKey.id },
    );
    expect(revoked.data!.revokeApiKey.revokedAt).not.toBeNull();
    const revokedAt = Date.now();
    let refusedAfter: number | undefined;
    while (Date.now() - revokedAt < 5_000) {
      if (codes(await gql(key, '{ edits { edges { node { id } } } }')).includes('UNAUTHENTICATED')) {
        refusedAfter = Date.now() - revokedAt;
        break;
      }
      await sleep(100);
    }
    // AUTH_CACHE_TTL_MS is 1 s here.
    expect(refusedAfter).toBeDefined();
    expect(refusedAfter!).toBeLessThan(2_500);
    expect(codes(await gql(key, '{ edits { edges { node { id } } } }'))).toEqual(['UNAUTHENTICATED']);
  });
});

describe('tenant isolation', () => {
  let editId: string;
  let frameId: string;
  let exampleId: string;

  beforeAll(async () => {
    const created = await createEdit(a.key);
    expect(created.errors).toBeUndefined();
    editId = created.data!.createEdit.id;
    expect(await waitForStatus(a.key, editId, ['COMPLETED', 'FAILED'])).toBe('COMPLETED');
    const example = await gql<{ addCaptionExample: { id: string } }>(
      a.key,
      `mutation { addCaptionExample(input: { targetCaption: "A photo of an open door.", temporalCaption: "The closed door slowly swings open." }) { id } }`,
    );
    expect(example.errors).toBeUndefined();
    exampleId = example.data!.addCaptionExample.id;
  });

  const EDIT_QUERY = `query($id: ID!) { edit(id: $id) {
    id status targetCaption frames { id index metrics { ssim psnr } } selectedFrame { id } history { seq }
    caption { text provenance }
  } }`;

  it("gives the owner its edit, frames, metrics and caption (what the other tenant's probes must not see)", async () => {
    const res = await gql<{
      edit: { frames: { id: string; metrics: unknown }[]; caption: unknown; history: unknown[] };
    }>(a.key, EDIT_QUERY, { id: editId });
    expect(res.errors).toBeUndefined();
    expect(res.data!.edit.frames).toHaveLength(9);
    expect(res.data!.edit.frames.every((f) => f.metrics !== null)).toBe(true);
    expect(res.data!.edit.caption).not.toBeNull();
    expect(res.data!.edit.history.length).toBeGreaterThan(3);
    frameId = res.data!.edit.frames[0].id;
    expect(frameId).toBeDefined();
  });

  it("answers tenant B's queries for tenant A's edit with null and nothing of A's", async () => {
    const edit = await gql<{ edit: unknown }>(b.key, EDIT_QUERY, { id: editId });
    expect(edit.errors).toBeUndefined();
    expect(edit.data!.edit).toBeNull();

    const lists = await gql<{
      edits: { edges: { node: { id: string } }[] };
      captionExamples: { id: string }[];
      apiKeys: { id: string }[];
    }>(b.key, '{ edits(first: 100) { edges { node { id } } } captionExamples { id } apiKeys { id } }');
    expect(lists.errors).toBeUndefined();
    expect(lists.data!.edits.edges).toEqual([]);
    expect(lists.data!.captionExamples).toEqual([]);
    expect(lists.data!.apiKeys.map((k) => k.id)).toEqual([b.keyId]);
    const everything = JSON.stringify([edit, lists]);
    for (const id of [editId, frameId, exampleId, a.keyId]) expect(everything).not.toContain(id);
  });

  it("refuses tenant B's mutations of tenant A's edit, caption example and keys with NOT_FOUND, changing nothing", async () => {
    const cancel = await gql(b.key, `mutation($id: ID!) { cancelEdit(id: $id) { id status } }`, {
      id: editId,
    });
    expect(codes(cancel)).toEqual(['NOT_FOUND']);
    expect(JSON.stringify(cancel)).not.toContain('COMPLETED');
    const remove = await gql(b.key, `mutation($id: ID!) { removeCaptionExample(id: $id) }`, {
      id: exampleId,
    });
    expect(codes(remove)).toEqual(['NOT_FOUND']);
    const revoke = await gql(b.key, `mutation($id: ID!) { revokeApiKey(id: $id) { id } }`, { id: a.keyId });
    expect(codes(revoke)).toEqual(['NOT_FOUND']);

    expect((await db.prisma.edit.findUniqueOrThrow({ where: { id: editId } })).status).toBe('COMPLETED');
    expect(await db.connect(captioningDatabase).captionExample.count({ where: { id: exampleId } })).toBe(1);
    expect((await db.prisma.apiKey.findUniqueOrThrow({ where: { id: a.keyId } })).revokedAt).toBeNull();
    expect((await gql(a.key, '{ edits { edges { node { id } } } }')).errors).toBeUndefined();
    // Tenant A still sees its own.
    const own = await gql<{ edit: { id: string } | null }>(
      a.key,
      `query($id: ID!) { edit(id: $id) { id } }`,
      {
        id: editId,
      },
    );
    expect(own.data!.edit?.id).toBe(editId);
  });
});

describe('subgraphs called directly', () => {
  const subgraphUrl = (name: 'edits' | 'captioning' | 'metrics') =>
    `http://127.0.0.1:${platform.ports[name]}/graphql`;
  const query = { query: '{ edits { edges { node { id } } } }' };

  it('refuse a request without the signed tenant context, with the old plain header, a forged or an expired one', async () => {
    const context = { tenantId: 'tenant-a', scopes: ['read' as const], keyId: a.keyId, requestId: 'probe' };
    const cases: Record<string, Record<string, string>> = {
      none: {},
      'plain tenant header': { 'x-f2f-tenant-id': 'tenant-a' },
      forged: { [TENANT_CONTEXT_HEADER]: signTenantContext(context, randomBytes(32).toString('hex')) },
      expired: {
        [TENANT_CONTEXT_HEADER]: signTenantContext(context, platform.tenantContextSecret, {
          now: Date.now() - 120_000,
        }),
      },
      tampered: {
        [TENANT_CONTEXT_HEADER]: signTenantContext(context, platform.tenantContextSecret).replace(
          /^v1\.\w/,
          'v1.X',
        ),
      },
    };
    for (const [name, headers] of Object.entries(cases)) {
      const res = await post(subgraphUrl('edits'), query, headers);
      expect({ name, status: res.status, codes: codes(res), data: res.data }).toEqual({
        name,
        status: 401,
        codes: ['UNAUTHENTICATED'],
        data: undefined,
      });
    }
    for (const name of ['captioning', 'metrics'] as const) {
      const res = await post(
        subgraphUrl(name),
        { query: '{ _service { sdl } }' },
        { 'x-f2f-tenant-id': 'tenant-a' },
      );
      expect({ name, codes: codes(res) }).toEqual({ name, codes: ['UNAUTHENTICATED'] });
    }
    // The same request signed with the platform's secret is answered: the refusals are the signature's.
    const signed = await post<{ edits: { edges: unknown[] } }>(subgraphUrl('edits'), query, {
      [TENANT_CONTEXT_HEADER]: signTenantContext(context, platform.tenantContextSecret),
    });
    expect(signed.errors).toBeUndefined();
    expect(Array.isArray(signed.data!.edits.edges)).toBe(true);
  });

  it("answers tenant B's signed entity lookups of tenant A's edit and frame with no caption and no metrics", async () => {
    const asB = {
      [TENANT_CONTEXT_HEADER]: signTenantContext(
        { tenantId: b.tenantId, scopes: ['read'], keyId: b.keyId, requestId: 'probe' },
        platform.tenantContextSecret,
      ),
    };
    const asA = {
      [TENANT_CONTEXT_HEADER]: signTenantContext(
        { tenantId: a.tenantId, scopes: ['read'], keyId: a.keyId, requestId: 'probe' },
        platform.tenantContextSecret,
      ),
    };
    const [edit] = await db.prisma.edit.findMany({
      where: { tenantId: a.tenantId, status: 'COMPLETED' },
      take: 1,
    });
    const frame = await db.prisma.frame.findFirstOrThrow({ where: { editId: edit.id } });
    const caption = {
      query: `query($r: [_Any!]!) { _entities(representations: $r) { ... on Edit { caption { text } } } }`,
      variables: { r: [{ __typename: 'Edit', id: edit.id }] },
    };
    const metrics = {
      query: `query($r: [_Any!]!) { _entities(representations: $r) { ... on Frame { metrics { ssim } } } }`,
      variables: { r: [{ __typename: 'Frame', id: frame.id }] },
    };
    const editsEntity = {
      query: `query($r: [_Any!]!) { _entities(representations: $r) { ... on Edit { id targetCaption } } }`,
      variables: { r: [{ __typename: 'Edit', id: edit.id }] },
    };
    // Tenant A, as a control: the lookups answer.
    expect((await post(subgraphUrl('captioning'), caption, asA)).data).toEqual({
      _entities: [{ caption: { text: expect.any(String) } }],
    });
    expect((await post(subgraphUrl('metrics'), metrics, asA)).data).toEqual({
      _entities: [{ metrics: { ssim: expect.any(Number) } }],
    });
    // Tenant B: nothing.
    expect((await post(subgraphUrl('captioning'), caption, asB)).data).toEqual({
      _entities: [{ caption: null }],
    });
    expect((await post(subgraphUrl('metrics'), metrics, asB)).data).toEqual({
      _entities: [{ metrics: null }],
    });
    expect((await post(subgraphUrl('edits'), editsEntity, asB)).data).toEqual({ _entities: [null] });
  });

  it("refuses edits' internal key resolution without the gateway's service token", async () => {
    const url = `http://127.0.0.1:${platform.ports.edits}/internal/api-keys/resolve`;
    const [, prefix] = a.key.split('_');
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ prefix, hash: hashApiKey(a.key) }),
    });
    expect(res.status).toBe(401);
    expect(await res.text()).not.toContain('tenant-a');
  });
});

describe('limits', () => {
  it('rate-limits each tenant with RATE_LIMITED, 429 and Retry-After, leaving other tenants alone', async () => {
    const c = await platform.createTenant('tenant-c', ['read']);
    const results = await Promise.all(
      Array.from({ length: RATE_BURST * 2 }, () =>
        gql(c.key, '{ edits(first: 1) { edges { node { id } } } }'),
      ),
    );
    const limited = results.filter((r) => codes(r).includes('RATE_LIMITED'));
    const served = results.filter((r) => r.errors === undefined);
    expect(limited.length).toBeGreaterThanOrEqual(RATE_BURST / 2);
    expect(served.length).toBeGreaterThanOrEqual(RATE_BURST - 2);
    expect(limited[0].status).toBe(429);
    expect(Number(limited[0].headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(limited[0].errors![0].extensions?.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    // Another tenant, at the same moment, is served.
    expect((await gql(b.key, '{ edits(first: 1) { edges { node { id } } } }')).errors).toBeUndefined();
    // And the limited tenant again, once its bucket has refilled.
    await sleep(1_500);
    expect((await gql(c.key, '{ edits(first: 1) { edges { node { id } } } }')).errors).toBeUndefined();
  });

  it('rate-limits uploads and downloads at signed URLs per tenant (RATE_LIMITED, 429, Retry-After)', async () => {
    const e = await platform.createTenant('tenant-e', ['read', 'write']);
    const ticketOf = async (key: string) => {
      const res = await gql<{ createUpload: { url: string } }>(
        key,
        `mutation($i: CreateUploadInput!) { createUpload(input: $i) { url } }`,
        { i: { contentType: 'image/png', byteSize: 100 } },
      );
      expect(res.errors).toBeUndefined();
      return res.data!.createUpload.url;
    };
    // PUTs of the wrong type are refused (415) after the token and the limit are checked.
    const putWrongType = (url: string) =>
      fetch(url, { method: 'PUT', headers: { 'content-type': 'image/gif' }, body: Buffer.alloc(100) });
    const url = await ticketOf(e.key);
    const answers = [];
    for (let i = 0; i < TRANSFER_BURST + 2; i++) answers.push(await putWrongType(url));
    expect(answers.slice(0, TRANSFER_BURST).map((r) => r.status)).toEqual(Array(TRANSFER_BURST).fill(415));
    const limited = answers.at(-1)!;
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(await limited.json()).toMatchObject({ code: 'RATE_LIMITED' });
    // Another tenant's transfers are not limited by tenant E's.
    expect((await putWrongType(await ticketOf(b.key))).status).toBe(415);
  });

  it('caps unfinished edits per tenant (TOO_MANY_EDITS) even for concurrent creates', async () => {
    const d = await platform.createTenant('tenant-d', ['read', 'write']);
    // 500 steps of 20 ms: each edit runs for about 10 s, so none finishes during the burst.
    const results = await Promise.all(Array.from({ length: 5 }, () => createEdit(d.key, { steps: 500 })));
    const created = results.filter((r) => r.errors === undefined).map((r) => r.data!.createEdit.id);
    const refused = results.filter((r) => codes(r).includes('TOO_MANY_EDITS'));
    expect(created).toHaveLength(MAX_UNFINISHED_EDITS);
    expect(refused).toHaveLength(5 - MAX_UNFINISHED_EDITS);
    expect(await db.prisma.edit.count({ where: { tenantId: 'tenant-d' } })).toBe(MAX_UNFINISHED_EDITS);
    // Another tenant is not affected by tenant D's edits.
    const other = await createEdit(b.key);
    expect(other.errors).toBeUndefined();

    // Cancelling one frees a place.
    const cancel = await gql(d.key, `mutation($id: ID!) { cancelEdit(id: $id) { status } }`, {
      id: created[0],
    });
    expect(cancel.errors).toBeUndefined();
    const again = await createEdit(d.key, { steps: 500 });
    expect(again.errors).toBeUndefined();
    for (const id of [created[1], again.data!.createEdit.id])
      await gql(d.key, `mutation($id: ID!) { cancelEdit(id: $id) { status } }`, { id });
  });

  it('refuses a too deep and a too costly query before any subgraph works on it', async () => {
    const deep = `{ edit(id: "00000000-0000-4000-8000-000000000000") { ${'frames { metrics { '.repeat(8)}ssim${' } }'.repeat(8)} } }`;
    const res = await gql(a.key, deep);
    expect(codes(res)).toContain('QUERY_TOO_DEEP');
    expect(res.data).toBeUndefined();
    // Within the limits, the same shape is answered.
    const fine = await gql(
      a.key,
      `{ edit(id: "00000000-0000-4000-8000-000000000000") { frames { metrics { ssim } } } }`,
    );
    expect(fine.errors).toBeUndefined();

    const costly = await gql(
      a.key,
      '{ edits(first: 100) { edges { node { frames { id index blobKey sha256 rawBlobKey metrics { ssim psnr } } } } } }',
    );
    expect(codes(costly)).toEqual(['QUERY_TOO_COMPLEX']);
    expect(costly.status).toBe(400);
    expect(
      (await gql(a.key, '{ edits(first: 20) { edges { node { frames { id } } } } }')).errors,
    ).toBeUndefined();
  });

  it('refuses a request body over MAX_BODY_BYTES with 413', async () => {
    const big = JSON.stringify({
      query: '{ edits { edges { node { id } } } }',
      variables: { pad: 'x'.repeat(MAX_BODY_BYTES + 1024) },
    });
    const res = await post(platform.gatewayUrl, big, { authorization: `Bearer ${a.key}` });
    expect(res.status).toBe(413);
    const small = JSON.stringify({
      query: '{ edits { edges { node { id } } } }',
      variables: { pad: 'x'.repeat(1024) },
    });
    expect((await post(platform.gatewayUrl, small, { authorization: `Bearer ${a.key}` })).status).toBe(200);
  });

  it('serves introspection outside production (NODE_ENV unset here)', async () => {
    const res = await gql<{ __schema: { queryType: { name: string } } }>(
      a.key,
      '{ __schema { queryType { name } } }',
    );
    expect(res.data?.__schema.queryType.name).toBe('Query');
  });
});
