import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

import { Supergraph } from '@apollo/federation-internals';
import { getIntrospectionQuery, type GraphQLError, parse, specifiedRules, validate } from 'graphql';

import { loadGatewayConfig } from '../config';
import { fieldCostsOf } from '../limits/field-costs';
import { mutationLimit } from '../limits/mutation-limits';
import { costLimit, depthLimit } from '../limits/query-limits';
import { loadSupergraph } from '../supergraph';

/** The cost and mutation rules as the gateway runs them by default, on the real supergraph's API schema. */
const config = loadGatewayConfig({
  TENANT_CONTEXT_SECRET: 's'.repeat(32),
  SIGNED_URL_SECRET: 'u'.repeat(32),
  KAFKA_BROKERS: '127.0.0.1:9092',
});
const supergraph = loadSupergraph();
const api = Supergraph.build(supergraph).apiSchema().toGraphQLJSSchema();
const costs = fieldCostsOf(supergraph);
const costOptions = {
  maxCost: config.MAX_QUERY_COST,
  listSize: config.QUERY_COST_LIST_SIZE,
  mutationCost: config.QUERY_COST_MUTATION,
  costs,
};
const rules = [
  depthLimit(config.MAX_QUERY_DEPTH),
  costLimit(costOptions),
  mutationLimit({ maxFields: config.MAX_MUTATIONS_PER_REQUEST, perField: config.MUTATION_FIELD_LIMITS }),
];

const limitErrors = (query: string): readonly GraphQLError[] => validate(api, parse(query), rules);
const codes = (query: string) => limitErrors(query).map((e) => e.extensions.code);

/** The estimated cost of an operation (a limit of 0 makes the rule report it). */
function costOf(query: string): number {
  const [error] = validate(api, parse(query), [costLimit({ ...costOptions, maxCost: 0 })]);
  return error ? Number(error.extensions.cost) : 0;
}

const ANALYTICS =
  'analytics(from: "2026-01-01T00:00:00Z", to: "2026-02-01T00:00:00Z") { total noEdit { share } }';
const aliases = (n: number, field: string) =>
  Array.from({ length: n }, (_, i) => `a${i}: ${field}`).join(' ');
const UPLOAD = 'createUpload(input: { contentType: "image/png", byteSize: 1000 }) { id url }';

describe('field costs from the supergraph (@cost / @listSize of the subgraphs)', () => {
  it('reads the declared weights and list sizes', () => {
    expect(costs.get('Query.analytics')).toEqual({ weight: 500, listSize: undefined });
    expect(costs.get('Mutation.createEdit')?.weight).toBe(100);
    expect(costs.get('Query.edits')?.listSize).toEqual({
      assumedSize: 100,
      slicingArguments: ['first'],
      sizedFields: ['edges'],
    });
    expect(costs.get('Frame.metrics')?.weight).toBe(2);
    expect(costs.has('Edit.status')).toBe(false);
  });

  it('costs a field its weight, else 1 (10 for a mutation), plus its selections', () => {
    // analytics 500 + total 1 + noEdit (1 + share 1).
    expect(costOf(`{ ${ANALYTICS} }`)).toBe(503);
    expect(costOf('{ edit(id: "x") { id status } }')).toBe(2 + 1 + 1);
    expect(costOf('mutation { cancelEdit(id: "x") { id } }')).toBe(10 + 1);
    expect(costOf(`mutation { ${UPLOAD} }`)).toBe(20 + 2);
  });

  it('counts every alias of a field as a resolution of its own', () => {
    expect(costOf(`{ ${aliases(2, ANALYTICS)} }`)).toBe(2 * 503);
    expect(costOf(`{ ${aliases(39, ANALYTICS)} }`)).toBeLessThanOrEqual(config.MAX_QUERY_COST);
    expect(codes(`{ ${aliases(40, ANALYTICS)} }`)).toEqual(['QUERY_TOO_COMPLEX']);
  });

  it('refuses 5,000 aliases of analytics with the cost and the limit', () => {
    const errors = limitErrors(`{ ${aliases(5000, ANALYTICS)} }`);
    expect(errors.map((e) => e.extensions)).toEqual([
      { code: 'QUERY_TOO_COMPLEX', cost: 5000 * 503, maxCost: config.MAX_QUERY_COST },
    ]);
  });

  it('multiplies nested lists: sized fields by the slicing argument, others by their assumed size', () => {
    const frames = 5 + 50 * (1 + (2 + 1)); // frames (@listSize 50) { id metrics { ssim } }
    const node = 1 + 1 + frames;
    // edits (5) -> edges (1 + first * node): the connection is not multiplied again.
    expect(costOf('{ edits(first: 3) { edges { node { id frames { id metrics { ssim } } } } } }')).toBe(
      5 + 1 + 3 * node,
    );
    // Without `first`: its default (20); with a variable: the assumedSize (100), its largest value.
    expect(costOf('{ edits { edges { node { id } } } }')).toBe(5 + 1 + 20 * 2);
    expect(costOf('query($n: Int) { edits(first: $n) { edges { node { id } } } }')).toBe(5 + 1 + 100 * 2);
    // editUpdates sizes its `updates` by `first`.
    expect(costOf('{ editUpdates(after: "c", first: 7) { updates { seq } endCursor } }')).toBe(5 + 1 + 7 + 1);
    expect(codes('{ edits(first: 100) { edges { node { frames { metrics { ssim psnr } } } } } }')).toEqual([
      'QUERY_TOO_COMPLEX',
    ]);
  });

  it('costs fragments and inline fragments as the fields they expand to', () => {
    const inline = '{ edits(first: 3) { edges { node { id frames { id metrics { ssim } } } } } }';
    const fragments = `{ edits(first: 3) { ...C } }
      fragment C on EditConnection { edges { ... on EditEdge { node { ...E } } } }
      fragment E on Edit { id frames { ...F } }
      fragment F on Frame { id metrics { ssim } }`;
    expect(costOf(fragments)).toBe(costOf(inline));
    expect(
      costOf(`{ ...Q ...Q2 } fragment Q on Query { ${ANALYTICS} } fragment Q2 on Query { b: ${ANALYTICS} }`),
    ).toBe(2 * 503);
  });
});

describe('mutation limits', () => {
  it('refuses 500 aliased createUpload calls (TOO_MANY_MUTATIONS), before anything runs', () => {
    const errors = limitErrors(`mutation { ${aliases(500, UPLOAD)} }`);
    expect(errors.map((e) => e.extensions)).toEqual([{ code: 'TOO_MANY_MUTATIONS', count: 500, max: 10 }]);
  });

  it('allows one of each creating mutation per request, aliases and fragments included', () => {
    expect(codes(`mutation { ${UPLOAD} }`)).toEqual([]);
    const twoKeys = limitErrors(
      'mutation { ...M } fragment M on Mutation { a: createApiKey(name: "a", scopes: [READ]) { key } ... on Mutation { b: createApiKey(name: "b", scopes: [READ]) { key } } }',
    );
    expect(twoKeys.map((e) => e.extensions)).toEqual([
      { code: 'TOO_MANY_MUTATIONS', field: 'createApiKey', count: 2, max: 1 },
    ]);
    expect(codes(`mutation { ${aliases(2, 'createEdit(input: { targetCaption: "x" }) { id }')} }`)).toEqual([
      'TOO_MANY_MUTATIONS',
    ]);
    expect(
      codes(
        'mutation { a: createWebhookEndpoint(input: { url: "https://x" }) { secret } b: createWebhookEndpoint(input: { url: "https://y" }) { secret } }',
      ),
    ).toEqual(['TOO_MANY_MUTATIONS']);
    // Other mutations count only towards the total.
    expect(codes(`mutation { ${aliases(10, 'cancelEdit(id: "x") { id }')} }`)).toEqual([]);
    expect(codes(`mutation { ${aliases(11, 'cancelEdit(id: "x") { id }')} }`)).toEqual([
      'TOO_MANY_MUTATIONS',
    ]);
  });

  it('leaves queries alone', () => {
    expect(codes(`{ ${aliases(12, 'edit(id: "x") { id }')} }`)).toEqual([]);
  });
});

describe('the queries clients send stay under the limits', () => {
  it('an edit with its 49 frames and their metrics, and the history page of 20 edits with thumbnails', () => {
    const readme = readFileSync(path.resolve(__dirname, '../../../../README.md'), 'utf8');
    const editQuery = /"query":"(\{ edit\(id: [^"]*\\"<ID>\\"\) \{.*\})"\}'/.exec(readme)?.[1];
    expect(editQuery).toBeDefined();
    const query = editQuery!.replace(/\\"/g, '"');
    expect(codes(query)).toEqual([]);
    expect(costOf(query)).toBeLessThan(config.MAX_QUERY_COST / 10);
    const history = `query($after: String) { edits(first: 20, after: $after) {
      edges { cursor node { id status targetCaption createdAt completedAt noEdit resultUrl
        selectedFrame { index url } metricsSummary { mean { ssim psnr } } } }
      pageInfo { hasNextPage endCursor } totalCount } }`;
    expect(codes(history)).toEqual([]);
    for (const op of [query, history, getIntrospectionQuery()])
      expect(() => parse(op, { maxTokens: config.MAX_QUERY_TOKENS })).not.toThrow();
    expect(costOf(history)).toBeLessThan(config.MAX_QUERY_COST / 4);
  });

  it('every operation of the end-to-end tests', () => {
    const dir = path.resolve(__dirname, '../../../../test/e2e');
    const operations = readdirSync(dir)
      .filter((f) => f.endsWith('.ts'))
      .flatMap((f) => [
        ...readFileSync(path.join(dir, f), 'utf8').matchAll(/`((?:query|mutation)\b[^`]*|\{\s*\w[^`]*)`/g),
      ])
      .map((m) => m[1].replace(/\$\{[^}]*\}/g, 'x'))
      .filter((op) => {
        try {
          return validate(api, parse(op), specifiedRules).length === 0;
        } catch {
          return false;
        }
      });
    expect(operations.length).toBeGreaterThan(20);
    for (const op of operations) {
      expect({ op, codes: codes(op) }).toEqual({ op, codes: [] });
      expect(() => parse(op, { maxTokens: config.MAX_QUERY_TOKENS })).not.toThrow();
    }
  });

  it('a fragment bomb (each fragment spread twice, 40 levels) is costed at once and refused', () => {
    const levels = 40;
    const fragments = Array.from({ length: levels }, (_, i) =>
      i === levels - 1
        ? `fragment F${i} on Query { __typename }`
        : `fragment F${i} on Query { ...F${i + 1} ...F${i + 1} }`,
    );
    const bomb = `{ ...F0 } ${fragments.join(' ')}`;
    const started = Date.now();
    expect(codes(bomb)).toEqual(['QUERY_TOO_COMPLEX']);
    expect(costOf(bomb)).toBe(2 ** (levels - 1));
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('introspection counts one per selection: a schema query stays cheap, thousands of __typename do not', () => {
    expect(codes(getIntrospectionQuery())).toEqual([]);
    expect(costOf(getIntrospectionQuery())).toBeLessThan(config.MAX_QUERY_COST / 10);
    expect(codes(`{ ${aliases(config.MAX_QUERY_COST + 1, '__typename')} }`)).toEqual(['QUERY_TOO_COMPLEX']);
  });
});
