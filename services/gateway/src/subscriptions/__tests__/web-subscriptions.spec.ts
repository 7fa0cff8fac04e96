import { readFileSync } from 'node:fs';
import path from 'node:path';

import { buildSchema, printType } from 'graphql';

import { SUPERGRAPH_PATH } from '../../supergraph';
import type { EditFeed } from '../edit-feed';
import { type Replay, subscriptionSchema } from '../subscription-schema';

/**
 * The web page's documents are typed against the supergraph plus a copy of this Subscription root
 * (apps/web/schema/subscriptions.graphql): the copy must say what the gateway serves.
 */
describe("the web page's copy of the Subscription root", () => {
  it('has the same fields, arguments and types as the gateway serves', () => {
    const served = subscriptionSchema(readFileSync(SUPERGRAPH_PATH, 'utf8'), {} as EditFeed, {} as Replay, {
      lookbackMs: 0,
      maxAgeMs: 0,
      pageSize: 1,
    }).getSubscriptionType()!;
    const copy = path.resolve(__dirname, '../../../../../apps/web/schema/subscriptions.graphql');
    const stub = 'type EditUpdate { seq: Int }\ntype Query { x: Int }\n';
    const declared = buildSchema(stub + readFileSync(copy, 'utf8')).getSubscriptionType()!;
    const shape = (t: typeof served) =>
      printType(t)
        .replace(/"""[\s\S]*?"""|"[^"\n]*"/g, '')
        .replace(/[\s,]+/g, ' ')
        .replace(/\( | \)/g, (m) => m.trim());
    expect(shape(declared)).toBe(shape(served));
  });
});
