import type { EditUpdateView } from '@f2f/contracts';
import { Supergraph } from '@apollo/federation-internals';
import {
  GraphQLError,
  GraphQLID,
  GraphQLInt,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLSchema,
} from 'graphql';

import type { GatewayContext } from '../auth/request-auth';
import type { EditFeed } from './edit-feed';

/** What the subscriptions need besides the feed: the history of an edit after a sequence number. */
export type Replay = (context: GatewayContext, editId: string, afterSeq: number) => Promise<EditUpdateView[]>;

/**
 * A live stream of feed entries with a manual iterator (not an async generator), so that a client
 * that unsubscribes ends it at once even while it waits for the next entry.
 */
class FeedStream implements AsyncIterableIterator<EditUpdateView> {
  private readonly queue: EditUpdateView[] = [];
  private waiting: ((r: IteratorResult<EditUpdateView>) => void) | undefined;
  private done = false;

  constructor(private readonly onClose: () => void) {}

  push(update: EditUpdateView): void {
    if (this.done) return;
    if (this.waiting) {
      const resolve = this.waiting;
      this.waiting = undefined;
      resolve({ value: update, done: false });
    } else {
      this.queue.push(update);
    }
  }

  next(): Promise<IteratorResult<EditUpdateView>> {
    const value = this.queue.shift();
    if (value) return Promise.resolve({ value, done: false });
    if (this.done) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => (this.waiting = resolve));
  }

  return(): Promise<IteratorResult<EditUpdateView>> {
    if (!this.done) {
      this.done = true;
      this.queue.length = 0;
      this.onClose();
      this.waiting?.({ value: undefined, done: true });
      this.waiting = undefined;
    }
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}

/**
 * editUpdated(id, afterSeq): what the caller missed after `afterSeq` (from the history), then the
 * live entries, in sequence order, each once. A gap in the live sequence (an entry the feed did not
 * deliver) is filled from the history before going on.
 */
export async function editUpdates(
  feed: EditFeed,
  replay: Replay,
  context: GatewayContext,
  editId: string,
  afterSeq: number,
): Promise<AsyncIterableIterator<EditUpdateView>> {
  let last = afterSeq;
  let live: EditUpdateView[] | null = [];
  let chain = Promise.resolve();
  const stream = new FeedStream(() => stop());
  const deliver = async (update: EditUpdateView) => {
    if (update.seq <= last) return;
    if (update.seq > last + 1) {
      for (const missed of await replay(context, editId, last)) {
        if (missed.seq > last && missed.seq < update.seq) {
          last = missed.seq;
          stream.push(missed);
        }
      }
    }
    last = update.seq;
    stream.push(update);
  };
  // Listen first, so that nothing announced while the history is read is lost.
  const stop = feed.listen((entry) => {
    if (entry.editId !== editId || entry.tenantId !== context.tenantId) return;
    if (live) live.push(entry.update);
    else chain = chain.then(() => deliver(entry.update)).catch(() => undefined);
  });
  try {
    for (const update of await replay(context, editId, afterSeq)) await deliver(update);
  } catch (error) {
    stop();
    throw error;
  }
  const pending = live;
  live = null;
  for (const update of pending.sort((a, b) => a.seq - b.seq)) await deliver(update);
  return stream;
}

/** editsUpdated: every live entry of the caller's tenant's edits (no replay: see the README). */
export function tenantUpdates(
  feed: EditFeed,
  context: GatewayContext,
): AsyncIterableIterator<EditUpdateView> {
  const stream = new FeedStream(() => stop());
  const stop = feed.listen((entry) => {
    if (entry.tenantId === context.tenantId) stream.push(entry.update);
  });
  return stream;
}

/**
 * The schema served over WebSocket (graphql-ws) beside the federated HTTP endpoint: the
 * supergraph's API types (EditUpdate is the edits subgraph's) and a Subscription root.
 */
export function subscriptionSchema(supergraphSdl: string, feed: EditFeed, replay: Replay): GraphQLSchema {
  const api = Supergraph.build(supergraphSdl).apiSchema().toGraphQLJSSchema();
  const editUpdate = api.getType('EditUpdate');
  if (!(editUpdate instanceof GraphQLObjectType)) throw new Error('the supergraph has no EditUpdate type');
  const subscription = new GraphQLObjectType<unknown, GatewayContext>({
    name: 'Subscription',
    fields: {
      editUpdated: {
        type: new GraphQLNonNull(editUpdate),
        description:
          "One edit's live feed: stage changes, denoising step k/n, each frame as it lands, the selection, " +
          'metrics, completion or failure. With afterSeq, what came after that sequence number first.',
        args: {
          id: { type: new GraphQLNonNull(GraphQLID) },
          afterSeq: {
            type: GraphQLInt,
            description: 'The last sequence number the client saw (0: everything).',
          },
        },
        subscribe: (_root, args: { id: string; afterSeq?: number | null }, context) => {
          const afterSeq = args.afterSeq ?? 0;
          if (!Number.isInteger(afterSeq) || afterSeq < 0)
            throw new GraphQLError('afterSeq must be 0 or more', { extensions: { code: 'BAD_USER_INPUT' } });
          return editUpdates(feed, replay, context, args.id, afterSeq);
        },
        resolve: (update: unknown) => update,
      },
      editsUpdated: {
        type: new GraphQLNonNull(editUpdate),
        description: "Every live feed entry of the caller's tenant's edits.",
        subscribe: (_root, _args, context) => tenantUpdates(feed, context),
        resolve: (update: unknown) => update,
      },
    },
  });
  return new GraphQLSchema({
    query: api.getQueryType(),
    subscription,
    types: Object.values(api.getTypeMap()).filter((t) => !t.name.startsWith('__')),
  });
}
