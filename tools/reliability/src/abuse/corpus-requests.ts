import { randomBytes } from 'node:crypto';

import { signFileToken, signTenantContext, signUploadToken, TENANT_CONTEXT_HEADER } from '@f2f/platform';

import { exchange, type Exchange, graphqlBody } from '@f2f/harness';
import { type AbuseCase, CREATE_EDIT, editInput, gql, raw } from './case';
import type { AbuseContext } from './fixtures';

const MB = 1024 * 1024;
const ANALYTICS = `analytics(from: "2020-01-01T00:00:00Z", to: "2021-01-01T00:00:00Z") { total byStatus { status count } stageLatency { stage p95Ms } }`;
const aliases = (n: number, field: string) =>
  Array.from({ length: n }, (_, i) => `a${i}: ${field}`).join('\n');
const dataOf = (e: Exchange[], field: string) => e.at(-1)?.json?.data?.[field];

/** Hostile captions and other strings, through createEdit, the edits filter and caption examples. */
function captions(): AbuseCase[] {
  const strings: [string, string][] = [
    ['over-limit-501', 'a'.repeat(501)],
    ['10k', 'dog '.repeat(2500)],
    ['1mb', 'x'.repeat(MB)],
    ['lone-high-surrogate', 'A dog \uD800 sitting.'],
    ['lone-low-surrogate', '\uDFFF'.repeat(100)],
    ['nul-inside', 'A dog\u0000 sitting.'],
    ['only-nuls', '\u0000'.repeat(64)],
    ['rtl-override', 'A dog \u202Egnittis\u202C.'],
    ['zero-width-1000', '\u200B'.repeat(1000)],
    ['whitespace-only', ' \t\n\r '.repeat(20)],
    ['empty', ''],
    ['combining-10000', `e${'\u0301'.repeat(10_000)}`],
    ['emoji-zwj-2000', '👨‍👩‍👧‍👦'.repeat(2000)],
    ['sql-and-html', `'; DROP TABLE "Edit"; -- <script>alert(1)</script>`],
  ];
  const image = (ctx: AbuseContext) => ctx.a.image.toString('base64');
  return [
    ...strings.map(([name, text]) => ({
      name: `caption:${name}`,
      category: 'caption' as const,
      send: (ctx: AbuseContext) =>
        gql(ctx, CREATE_EDIT, editInput({ imageBase64: image(ctx), targetCaption: text })),
    })),
    ...strings.slice(0, 7).map(([name, text]) => ({
      name: `idempotency-key:${name}`,
      category: 'caption' as const,
      send: (ctx: AbuseContext) =>
        gql(ctx, CREATE_EDIT, editInput({ imageBase64: image(ctx), idempotencyKey: text })),
    })),
    ...strings.slice(2, 7).map(([name, text]) => ({
      name: `caption-filter:${name}`,
      category: 'caption' as const,
      send: (ctx: AbuseContext) =>
        gql(ctx, `query($f: EditFilter) { edits(filter: $f) { totalCount } }`, {
          f: { captionContains: text },
        }),
    })),
    ...strings.slice(2, 6).map(([name, text]) => ({
      name: `caption-example:${name}`,
      category: 'caption' as const,
      send: (ctx: AbuseContext) =>
        gql(ctx, `mutation($i: AddCaptionExampleInput!) { addCaptionExample(input: $i) { id } }`, {
          i: { targetCaption: text, temporalCaption: text },
        }),
    })),
    {
      name: 'caption:invalid-utf8-bytes',
      category: 'caption',
      send: (ctx) => {
        const body = graphqlBody(
          CREATE_EDIT,
          editInput({ imageBase64: image(ctx), targetCaption: 'A dog XX.' }),
        );
        const bytes = Buffer.from(body);
        const at = bytes.indexOf('XX');
        bytes[at] = 0xff;
        bytes[at + 1] = 0xc0;
        return raw(ctx, bytes);
      },
    },
  ];
}

const fragmentBomb = (levels: number) => {
  const fragments = Array.from({ length: levels }, (_, i) =>
    i === levels - 1
      ? `fragment F${i} on Query { __typename }`
      : `fragment F${i} on Query { ...F${i + 1} ...F${i + 1} }`,
  );
  return `{ ...F0 } ${fragments.join(' ')}`;
};

const nested = (depth: number): unknown => {
  let value: unknown = 'leaf';
  for (let i = 0; i < depth; i++) value = { n: value };
  return value;
};

/** Costly or malformed GraphQL: aliases, depth, fragments, batches, huge documents and variables. */
function graphqlCases(): AbuseCase[] {
  const q = (
    name: string,
    query: string | (() => string),
    variables: Record<string, unknown> = {},
  ): AbuseCase => ({
    name: `graphql:${name}`,
    category: 'graphql',
    send: (ctx) => gql(ctx, typeof query === 'string' ? query : query(), variables),
  });
  const r = (name: string, body: () => string | Buffer, headers?: Record<string, string>): AbuseCase => ({
    name: `graphql:${name}`,
    category: 'graphql',
    send: (ctx) => raw(ctx, body(), headers),
  });
  return [
    q('5000-aliases-of-analytics', () => `{ ${aliases(5000, ANALYTICS)} }`),
    q(
      '1000-aliases-of-edits-100',
      () =>
        `{ ${aliases(1000, 'edits(first: 100) { totalCount edges { node { id frames { id url } } } }')} }`,
    ),
    q(
      '500-aliased-createUpload',
      () =>
        `mutation { ${aliases(500, 'createUpload(input: { contentType: "image/png", byteSize: 1000 }) { id url }')} }`,
    ),
    q(
      '500-aliased-createApiKey',
      () => `mutation { ${aliases(500, 'createApiKey(name: "alias", scopes: [READ]) { key }')} }`,
    ),
    q(
      '200-aliased-createWebhookEndpoint',
      () =>
        `mutation { ${aliases(200, 'createWebhookEndpoint(input: { url: "http://127.0.0.1:9/x", enabled: false }) { secret }')} }`,
    ),
    q('100000-aliases-of-typename', () => `{ ${aliases(100_000, '__typename')} }`),
    q('5000-duplicate-analytics-fields', () => `{ ${Array(5000).fill(ANALYTICS).join('\n')} }`),
    q(
      'inline-fragments-10000-deep',
      () => `{ ${'... on Query { '.repeat(10_000)}__typename${' }'.repeat(10_000)} }`,
    ),
    q(
      'list-argument-100000-deep',
      () =>
        `{ edits(filter: { status: ${'['.repeat(100_000)}COMPLETED${']'.repeat(100_000)} }) { totalCount } }`,
    ),
    q('fragment-cycle', `{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }`),
    q('fragment-bomb-2^40', () => fragmentBomb(40)),
    q('10000-directives', () => `{ __typename${' @skip(if: false)'.repeat(10_000)} }`),
    q(
      'introspection-ofType-60-deep',
      () => `{ __schema { types { fields { type ${'{ ofType '.repeat(60)}{ name }${' }'.repeat(60)} } } } }`,
    ),
    q('1mb-of-comments', () => `${'# x\n'.repeat(MB / 4)}{ __typename }`),
    q('200000-tokens', () => `{ edits(first: 1) { totalCount ${'__typename '.repeat(200_000)} } }`),
    q('10mb-unused-variable', `query($x: String) { __typename }`, { x: 'x'.repeat(10 * MB) }),
    q('variables-3000-deep-object', `query($x: EditFilter) { edits(filter: $x) { totalCount } }`, {
      x: nested(3_000),
    }),
    q('subscription-over-post', `subscription { editUpdated(id: "x") { seq } }`),
    q('unknown-operation-name', `query A { __typename } query B { __typename }`),
    r('batch-of-1000', () => JSON.stringify(Array(1000).fill({ query: `{ ${ANALYTICS} }` }))),
    r('json-nested-200000-arrays', () => `${'['.repeat(200_000)}${']'.repeat(200_000)}`),
    r('malformed-json', () => '{"query": "{ __typename }"'),
    r('query-not-a-string', () => JSON.stringify({ query: 42, variables: [] })),
    r('variables-not-an-object', () => JSON.stringify({ query: '{ __typename }', variables: 'x' })),
    r('text-plain-csrf', () => JSON.stringify({ query: '{ __typename }' }), { 'content-type': 'text/plain' }),
    r('body-20mb', () => JSON.stringify({ query: '{ __typename }', pad: 'x'.repeat(20 * MB) })),
  ];
}

/** Forged API keys, tenant contexts and signed URLs. */
function forgeries(): AbuseCase[] {
  const bearer = (name: string, key: (ctx: AbuseContext) => string): AbuseCase => ({
    name: `forged-key:${name}`,
    category: 'forgery',
    send: (ctx) =>
      gql(ctx, `{ edits { edges { node { id targetCaption } } } apiKeys { id name } }`, {}, key(ctx)),
  });
  const prefixOf = (key: string) => key.split('_')[1];
  const subgraphs = ['edits', 'captioning', 'metrics', 'webhooks', 'frame-selection'] as const;
  const subgraphQuery: Record<(typeof subgraphs)[number], (ctx: AbuseContext) => string> = {
    edits: () => '{ edits { edges { node { id targetCaption } } } }',
    captioning: () => '{ captionExamples { id temporalCaption } }',
    webhooks: () => '{ webhookEndpoints { id url description } }',
    metrics: (ctx) =>
      `{ _entities(representations: [{ __typename: "Edit", id: "${ctx.b.editId}" }]) { ... on Edit { metricsSummary { frameCount } } } }`,
    'frame-selection': (ctx) =>
      `{ _entities(representations: [{ __typename: "Edit", id: "${ctx.b.editId}" }]) { ... on Edit { selectionDecision { reason } } } }`,
  };
  const contexts: [string, (ctx: AbuseContext) => Record<string, string>][] = [
    ['no-context', () => ({})],
    ['plain-tenant-header', (ctx) => ({ 'x-f2f-tenant-id': ctx.b.tenantId })],
    [
      'wrong-secret',
      (ctx) => ({
        [TENANT_CONTEXT_HEADER]: signTenantContext(claimsOf(ctx), randomBytes(32).toString('hex')),
      }),
    ],
    [
      'expired',
      (ctx) => ({
        [TENANT_CONTEXT_HEADER]: signTenantContext(claimsOf(ctx), ctx.platform.tenantContextSecret, {
          now: Date.now() - 600_000,
        }),
      }),
    ],
    ['8kb-garbage', () => ({ [TENANT_CONTEXT_HEADER]: `v1.${'A'.repeat(8192)}` })],
  ];
  const claimsOf = (ctx: AbuseContext) => ({
    tenantId: ctx.b.tenantId,
    scopes: ['read' as const, 'admin' as const],
    keyId: ctx.b.keyId,
    requestId: 'abuse',
  });
  const transfer = (name: string, url: (ctx: AbuseContext) => string, method = 'GET'): AbuseCase => ({
    name: `signed-url:${name}`,
    category: 'forgery',
    send: async (ctx) => [
      await exchange({
        url: url(ctx),
        method,
        headers: method === 'PUT' ? { 'content-type': 'image/png' } : {},
        body: method === 'PUT' ? ctx.a.image : undefined,
      }),
    ],
  });
  const tamper = (token: string, at: number) =>
    token.slice(0, at) + (token[at] === 'A' ? 'B' : 'A') + token.slice(at + 1);
  const fileToken = (url: string) => url.slice(url.lastIndexOf('/') + 1);
  return [
    bearer(
      'wrong-secret-right-prefix',
      (ctx) => `f2f_${prefixOf(ctx.a.key)}_${randomBytes(32).toString('base64url')}`,
    ),
    bearer(
      'b-prefix-a-secret',
      (ctx) => `f2f_${prefixOf(ctx.b.key)}_${ctx.a.key.split('_').slice(2).join('_')}`,
    ),
    bearer(
      'unknown-prefix',
      () => `f2f_${randomBytes(6).toString('hex')}_${randomBytes(32).toString('base64url')}`,
    ),
    bearer('malformed', () => 'not-a-key'),
    bearer('8kb-key', () => `f2f_${'a'.repeat(8192)}`),
    bearer('empty', () => ''),
    bearer('latin1-bytes', () => `f2f_\u00e9\u00e9\u00e9`),
    {
      name: 'forged-context:to-gateway-with-a-key',
      category: 'forgery',
      send: async (ctx) => [
        await exchange({
          url: ctx.platform.gatewayUrl,
          headers: {
            'content-type': 'application/json',
            authorization: `Bearer ${ctx.a.key}`,
            [TENANT_CONTEXT_HEADER]: signTenantContext(claimsOf(ctx), randomBytes(32).toString('hex')),
            'x-f2f-tenant-id': ctx.b.tenantId,
          },
          body: graphqlBody('{ edits { edges { node { id targetCaption } } } webhookEndpoints { id url } }'),
        }),
      ],
    },
    ...subgraphs.flatMap((subgraph) =>
      contexts.map(([name, headers]): AbuseCase => ({
        name: `forged-context:${subgraph}:${name}`,
        category: 'forgery',
        send: async (ctx) => [
          await exchange({
            url: ctx.subgraphUrl(subgraph),
            headers: { 'content-type': 'application/json', ...headers(ctx) },
            body: graphqlBody(subgraphQuery[subgraph](ctx)),
          }),
        ],
      })),
    ),
    transfer(
      'download-tampered',
      (ctx) => `${ctx.gatewayOrigin}/v1/files/${tamper(fileToken(ctx.a.frameUrl), 8)}`,
    ),
    transfer('download-signature-cut', (ctx) => ctx.a.frameUrl.slice(0, -6)),
    transfer(
      'download-expired',
      (ctx) =>
        `${ctx.gatewayOrigin}/v1/files/${signFileToken({ tenantId: ctx.a.tenantId, key: `tenants/${ctx.a.tenantId}/x.png`, expiresAt: new Date(Date.now() - 1000) }, ctx.platform.signedUrlSecret)}`,
    ),
    transfer(
      'download-wrong-secret-b-claims',
      (ctx) =>
        `${ctx.gatewayOrigin}/v1/files/${signFileToken({ tenantId: ctx.b.tenantId, key: `tenants/${ctx.b.tenantId}/edits/${ctx.b.editId}/source.png`, expiresAt: new Date(Date.now() + 60_000) }, randomBytes(32).toString('hex'))}`,
    ),
    transfer('download-traversal', (ctx) => `${ctx.gatewayOrigin}/v1/files/..%2F..%2F..%2Fetc%2Fpasswd`),
    transfer('download-8kb-token', (ctx) => `${ctx.gatewayOrigin}/v1/files/f1.${'A'.repeat(8192)}.AAAA`),
    transfer('download-nul-token', (ctx) => `${ctx.gatewayOrigin}/v1/files/f1.%00%00.AAAA`),
    transfer(
      'upload-tampered',
      (ctx) =>
        `${ctx.gatewayOrigin}/v1/uploads/${tamper(signUploadToken({ tenantId: ctx.a.tenantId, uploadId: ctx.a.uploadId, contentType: 'image/png', maxBytes: 10 * MB, expiresAt: new Date(Date.now() + 60_000) }, ctx.platform.signedUrlSecret), 8)}`,
      'PUT',
    ),
    transfer(
      'upload-expired',
      (ctx) =>
        `${ctx.gatewayOrigin}/v1/uploads/${signUploadToken({ tenantId: ctx.a.tenantId, uploadId: ctx.a.uploadId, contentType: 'image/png', maxBytes: 10 * MB, expiresAt: new Date(Date.now() - 1000) }, ctx.platform.signedUrlSecret)}`,
      'PUT',
    ),
    transfer(
      'upload-wrong-secret-b-upload',
      (ctx) =>
        `${ctx.gatewayOrigin}/v1/uploads/${signUploadToken({ tenantId: ctx.b.tenantId, uploadId: ctx.b.uploadId, contentType: 'image/png', maxBytes: 10 * MB, expiresAt: new Date(Date.now() + 60_000) }, randomBytes(32).toString('hex'))}`,
      'PUT',
    ),
  ];
}

/** Tenant B's ids in every query and mutation that takes an id, with tenant A's key. */
function crossTenant(): AbuseCase[] {
  const c = (
    name: string,
    query: string,
    variables: (ctx: AbuseContext) => Record<string, unknown>,
    leaked?: (e: Exchange[], ctx: AbuseContext) => boolean,
  ): AbuseCase => ({
    name: `cross-tenant:${name}`,
    category: 'cross-tenant',
    send: (ctx) => gql(ctx, query, variables(ctx)),
    leaked,
  });
  return [
    c(
      'edit',
      `query($id: ID!) { edit(id: $id) { id targetCaption status sourceUrl frames { id url } updates { type } history { payload } } }`,
      (ctx) => ({ id: ctx.b.editId }),
      (e) => dataOf(e, 'edit') != null,
    ),
    c(
      'edit-caption-and-decision',
      `query($id: ID!) { edit(id: $id) { caption { text } selectionDecision { reason } metricsSummary { frameCount } } }`,
      (ctx) => ({ id: ctx.b.editId }),
      (e) => dataOf(e, 'edit') != null,
    ),
    c(
      'edits-after-b-cursor',
      `query($after: String) { edits(first: 5, after: $after) { edges { node { id targetCaption } } } }`,
      (ctx) => ({ after: ctx.b.editsCursor ?? 'x' }),
    ),
    c(
      'edit-updates-after-b-cursor',
      `query($after: String!) { editUpdates(after: $after, first: 50) { updates { editId type } } }`,
      (ctx) => ({ after: ctx.b.updatesCursor ?? 'x' }),
    ),
    c(
      'edit-updates-from-zero',
      `{ editUpdates(after: "0", first: 500) { updates { editId type } } }`,
      () => ({}),
    ),
    c(
      'cancel-edit',
      `mutation($id: ID!) { cancelEdit(id: $id) { id status targetCaption } }`,
      (ctx) => ({ id: ctx.b.editId }),
      (e) => dataOf(e, 'cancelEdit') != null,
    ),
    c(
      'select-frame-of-b-edit',
      `mutation($e: ID!, $f: ID) { selectFrame(editId: $e, frameId: $f) { id targetCaption } }`,
      (ctx) => ({ e: ctx.b.editId, f: ctx.b.frameIds[1] }),
      (e) => dataOf(e, 'selectFrame') != null,
    ),
    c(
      'select-b-frame-into-a-edit',
      `mutation($e: ID!, $f: ID) { selectFrame(editId: $e, frameId: $f) { selectedFrame { id sha256 url } } }`,
      (ctx) => ({ e: ctx.a.editId, f: ctx.b.frameIds[0] }),
      (e, ctx) => JSON.stringify(dataOf(e, 'selectFrame') ?? null).includes(ctx.b.frameIds[0]),
    ),
    c(
      'create-edit-from-b-upload',
      CREATE_EDIT.replace('id status', 'id status source { sha256 }'),
      (ctx) => editInput({ sourceUploadId: ctx.b.uploadId }),
      (e) => dataOf(e, 'createEdit') != null,
    ),
    c(
      'create-edit-b-ground-truth-upload',
      CREATE_EDIT,
      (ctx) =>
        editInput({ imageBase64: ctx.a.image.toString('base64'), groundTruthUploadId: ctx.b.uploadId }),
      (e) => dataOf(e, 'createEdit') != null,
    ),
    c(
      'webhook-endpoint',
      `query($id: ID!) { webhookEndpoint(id: $id) { id url description deliveries { edges { node { id payload } } } } }`,
      (ctx) => ({ id: ctx.b.endpointId }),
      (e) => dataOf(e, 'webhookEndpoint') != null,
    ),
    c(
      'webhook-delivery',
      `query($id: ID!) { webhookDelivery(id: $id) { id payload attempts { responseBody } } }`,
      (ctx) => ({ id: ctx.b.deliveryId ?? ctx.b.endpointId }),
      (e) => dataOf(e, 'webhookDelivery') != null,
    ),
    c(
      'update-webhook-endpoint',
      `mutation($id: ID!) { updateWebhookEndpoint(id: $id, input: { url: "http://127.0.0.1:9/stolen" }) { id url } }`,
      (ctx) => ({ id: ctx.b.endpointId }),
      (e) => dataOf(e, 'updateWebhookEndpoint') != null,
    ),
    c(
      'rotate-webhook-secret',
      `mutation($id: ID!) { rotateWebhookSecret(id: $id) { secret endpoint { url } } }`,
      (ctx) => ({ id: ctx.b.endpointId }),
      (e) => dataOf(e, 'rotateWebhookSecret') != null,
    ),
    c(
      'redeliver-webhook',
      `mutation($id: ID!) { redeliverWebhook(deliveryId: $id) { id payload } }`,
      (ctx) => ({ id: ctx.b.deliveryId ?? ctx.b.endpointId }),
      (e) => dataOf(e, 'redeliverWebhook') != null,
    ),
    c(
      'remove-caption-example',
      `mutation($id: ID!) { removeCaptionExample(id: $id) }`,
      (ctx) => ({ id: ctx.b.exampleId }),
      (e) => dataOf(e, 'removeCaptionExample') === true,
    ),
    c(
      'revoke-api-key',
      `mutation($id: ID!) { revokeApiKey(id: $id) { id name revokedAt } }`,
      (ctx) => ({ id: ctx.b.extraKeyId }),
      (e) => dataOf(e, 'revokeApiKey') != null,
    ),
    c(
      'delete-webhook-endpoint',
      `mutation($id: ID!) { deleteWebhookEndpoint(id: $id) }`,
      (ctx) => ({ id: ctx.b.endpointId }),
      (e) => dataOf(e, 'deleteWebhookEndpoint') != null,
    ),
    {
      name: 'cross-tenant:entities-signed-for-a',
      category: 'cross-tenant',
      send: async (ctx) =>
        Promise.all(
          (['edits', 'captioning', 'metrics', 'frame-selection'] as const).map((subgraph) =>
            exchange({
              url: ctx.subgraphUrl(subgraph),
              headers: {
                'content-type': 'application/json',
                [TENANT_CONTEXT_HEADER]: signTenantContext(
                  { tenantId: ctx.a.tenantId, scopes: ['read'], keyId: ctx.a.keyId, requestId: 'abuse' },
                  ctx.platform.tenantContextSecret,
                ),
              },
              body: graphqlBody(
                `query($r: [_Any!]!) { _entities(representations: $r) { ${ENTITY_FIELDS[subgraph]} } }`,
                {
                  r: [
                    { __typename: 'Edit', id: ctx.b.editId },
                    { __typename: 'Frame', id: ctx.b.frameIds[0] },
                  ],
                },
              ),
            }),
          ),
        ),
      leaked: (exchanges) =>
        exchanges.some((e) =>
          ((e.json?.data?._entities ?? []) as (Record<string, unknown> | null)[]).some(
            (entity) =>
              entity &&
              Object.entries(entity).some(([k, v]) => k !== 'id' && k !== '__typename' && v != null),
          ),
        ),
    },
  ];
}

/** What each subgraph resolves of B's Edit and Frame entities (null for another tenant's). */
const ENTITY_FIELDS = {
  edits: '... on Edit { targetCaption status } ... on Frame { sha256 }',
  captioning: '... on Edit { caption { text } }',
  metrics: '... on Edit { metricsSummary { frameCount } } ... on Frame { metrics { ssim } }',
  'frame-selection': '... on Edit { selectionDecision { reason } }',
} as const;

export const requestCorpus = (): AbuseCase[] => [
  ...captions(),
  ...graphqlCases(),
  ...forgeries(),
  ...crossTenant(),
];
