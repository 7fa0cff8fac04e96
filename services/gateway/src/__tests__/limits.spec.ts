import { buildSchema, parse, validate } from 'graphql';

import { ADMIN_ROOT_FIELDS, apiKeyOf, requiredScopes } from '../auth/request-auth';
import { costLimit, depthLimit } from '../limits/query-limits';
import { RateLimiter } from '../limits/rate-limiter';
import { loadSupergraph } from '../supergraph';

const schema = buildSchema(`
  type Query { edit(id: ID!): Edit  edits(first: Int = 20): [Edit!]! }
  type Mutation { cancelEdit(id: ID!): Edit  createApiKey(name: String!): String  apiKeys: [String!]! }
  type Edit { id: ID! frames: [Frame!]! }
  type Frame { id: ID! metrics: Metrics }
  type Metrics { ssim: Float }
`);
const errors = (query: string, rules = [depthLimit(3), costLimit({ maxCost: 100, listSize: 10 })]) =>
  validate(schema, parse(query), rules).map((e) => e.extensions.code);

describe('query limits', () => {
  it('measures depth through fragments and inline fragments', () => {
    expect(errors('{ edit(id: 1) { frames { id } } }')).toEqual([]);
    expect(errors('{ edit(id: 1) { frames { metrics { ssim } } } }')).toEqual(['QUERY_TOO_DEEP']);
    expect(
      errors('{ edit(id: 1) { ...F } } fragment F on Edit { frames { ... on Frame { metrics { ssim } } } }'),
    ).toEqual(['QUERY_TOO_DEEP']);
    expect(errors('{ edit(id: 1) { __typename frames { __typename id } } }')).toEqual([]);
  });

  it('counts a list once per element it may return (first, its default, else the list size)', () => {
    // 1 + 20 * (1 + 10 * 1) = 221 with `first`'s default of 20.
    expect(errors('{ edits { frames { id } } }', [costLimit({ maxCost: 221, listSize: 10 })])).toEqual([]);
    expect(errors('{ edits { frames { id } } }', [costLimit({ maxCost: 220, listSize: 10 })])).toEqual([
      'QUERY_TOO_COMPLEX',
    ]);
    expect(
      errors('{ edits(first: 2) { frames { id } } }', [costLimit({ maxCost: 23, listSize: 10 })]),
    ).toEqual([]);
    // Aliases multiply the work and the cost.
    expect(
      errors('{ a: edits(first: 2) { id } b: edits(first: 2) { id } }', [
        costLimit({ maxCost: 5, listSize: 10 }),
      ]),
    ).toEqual(['QUERY_TOO_COMPLEX']);
  });

  it('counts a Relay connection once per element of its own `first`, not again for its edges', () => {
    const relay = buildSchema(`
      type Query { edits(first: Int = 20): EditConnection! }
      type EditConnection { edges: [EditEdge!]! totalCount: Int! }
      type EditEdge { cursor: String! node: Edit! }
      type Edit { id: ID! frames: [Frame!]! }
      type Frame { id: ID! }
    `);
    const cost = (query: string, max: number) =>
      validate(relay, parse(query), [costLimit({ maxCost: max, listSize: 10 })]).map(
        (e) => e.extensions.code,
      );
    // frames { id } = 1 + 10 * 1 = 11; node = 12; edges (not multiplied) = 13; edits(first: 2) = 1 + 2 * 13.
    expect(cost('{ edits(first: 2) { edges { node { frames { id } } } } }', 27)).toEqual([]);
    expect(cost('{ edits(first: 2) { edges { node { frames { id } } } } }', 26)).toEqual([
      'QUERY_TOO_COMPLEX',
    ]);
    expect(cost('{ edits(first: 100) { edges { node { frames { id } } } } }', 1000)).toEqual([
      'QUERY_TOO_COMPLEX',
    ]);
  });

  it('does not loop on fragment cycles (graphql reports those itself)', () => {
    const query = '{ edit(id: 1) { ...A } } fragment A on Edit { frames { id } ...A }';
    expect(() =>
      validate(schema, parse(query), [depthLimit(3), costLimit({ maxCost: 100, listSize: 10 })]),
    ).not.toThrow();
  });
});

describe('scopes', () => {
  const needs = (query: string) => {
    const doc = parse(query);
    const op = doc.definitions.find((d) => d.kind === 'OperationDefinition');
    return requiredScopes(op as never, doc).sort();
  };

  it('are read for queries, write for mutations, admin for API keys', () => {
    expect(needs('{ edit(id: 1) { id } }')).toEqual(['read']);
    expect(needs('mutation { cancelEdit(id: 1) { id } }')).toEqual(['write']);
    expect(needs('mutation { createApiKey(name: "x") }')).toEqual(['admin']);
    expect(needs('query { apiKeys edits { id } }')).toEqual(['admin', 'read']);
    expect(needs('mutation { ...M } fragment M on Mutation { apiKeys }')).toEqual(['admin']);
  });

  it('name admin fields that the supergraph has (API keys in edits, webhooks in webhooks)', () => {
    const supergraph = loadSupergraph();
    for (const field of ADMIN_ROOT_FIELDS)
      expect(supergraph).toMatch(
        new RegExp(`\\b${field}\\(?[^\\n]*@join__field\\(graph: (EDITS|WEBHOOKS)\\)`),
      );
  });

  it('make every root field of the webhooks subgraph an admin field', () => {
    const webhookFields = [
      ...loadSupergraph().matchAll(/^\s+(\w+)[(:][^\n]*@join__field\(graph: WEBHOOKS\)/gm),
    ]
      .map((m) => m[1])
      .filter((f) =>
        /^(webhook|createWebhook|updateWebhook|deleteWebhook|rotateWebhook|redeliverWebhook)/.test(f),
      );
    expect(webhookFields.length).toBeGreaterThanOrEqual(9);
    for (const field of webhookFields)
      expect({ field, admin: ADMIN_ROOT_FIELDS.has(field) }).toEqual({ field, admin: true });
    expect(needs('{ webhookEndpoints { id } }')).toEqual(['admin']);
    expect(needs('mutation { redeliverWebhook(deliveryId: 1) { id } }')).toEqual(['admin']);
  });

  it('take the key from a bearer Authorization or x-api-key', () => {
    expect(apiKeyOf({ authorization: 'Bearer f2f_x' })).toBe('f2f_x');
    expect(apiKeyOf({ authorization: 'bearer  f2f_x ' })).toBe('f2f_x');
    expect(apiKeyOf({ 'x-api-key': 'f2f_y' })).toBe('f2f_y');
    expect(apiKeyOf({ authorization: 'Basic abc', 'x-api-key': 'f2f_y' })).toBeUndefined();
    expect(apiKeyOf({})).toBeUndefined();
  });
});

describe('rate limiter', () => {
  it('lets a burst through, then one request per 1/rate seconds, per tenant', () => {
    let now = 0;
    const limiter = new RateLimiter(2, 3, () => now);
    expect([1, 2, 3, 4].map(() => limiter.take('a'))).toEqual([0, 0, 0, 1]);
    expect(limiter.take('b')).toBe(0);
    now += 499;
    expect(limiter.take('a')).toBe(1);
    now += 2;
    expect(limiter.take('a')).toBe(0);
    now += 10_000;
    expect([1, 2, 3, 4].map(() => limiter.take('a'))).toEqual([0, 0, 0, 1]);
  });
});
