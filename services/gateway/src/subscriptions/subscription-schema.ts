import { decodeFeedCursor, type EditUpdateView, encodeFeedCursor } from '@f2f/contracts';
import { Supergraph } from '@apollo/federation-internals';
import {
  GraphQLError,
  GraphQLID,
  GraphQLInt,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLSchema,
  GraphQLString,
} from 'graphql';

import type { GatewayContext } from '../auth/request-auth';
import type { EditFeed } from './edit-feed';

import type { TenantFeedPage } from './replay';

/** What the subscriptions need besides the live feed: the history, from the edits subgraph. */
export interface Replay {
  /** One edit's feed entries after a sequence number. */
  edit(context: GatewayContext, editId: string, afterSeq: number): Promise<EditUpdateView[]>;
  /** A page of the tenant's feed after a feed cursor, in recording order. */
  tenant(context: GatewayContext, after: string, first: number): Promise<TenantFeedPage>;
}

export interface TenantReplayOptions {
  /**
   * How far before the client's cursor the replay starts: an entry recorded (its transaction
   * begun) before the one the client saw can commit after it; the client sees such an entry, or
   * one it already saw, again rather than never. Dedupe by (editId, seq).
   */
  lookbackMs: number;
  /** Cursors older than this are refused (CURSOR_EXPIRED): resynchronise with queries instead. */
  maxAgeMs: number;
  pageSize: number;
}

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
      for (const missed of await replay.edit(context, editId, last)) {
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
  const stop = feed.listen({ tenantId: context.tenantId, editId }, (entry) => {
    if (entry.editId !== editId || entry.tenantId !== context.tenantId) return;
    if (live) live.push(entry.update);
    else chain = chain.then(() => deliver(entry.update)).catch(() => undefined);
  });
  try {
    for (const update of await replay.edit(context, editId, afterSeq)) await deliver(update);
  } catch (error) {
    stop();
    throw error;
  }
  const pending = live;
  live = null;
  for (const update of pending.sort((a, b) => a.seq - b.seq)) await deliver(update);
  return stream;
}

/**
 * editsUpdated(afterCursor): every entry of the caller's tenant's edits. With a cursor (an
 * EditUpdate.cursor the client saw), first the entries recorded since shortly before it (see
 * TenantReplayOptions.lookbackMs), page by page from the history, then the live ones. Within one
 * subscription each (editId, seq) comes at most once and each edit's entries in sequence order;
 * a gap in an edit's live sequence is filled from its history.
 */
export async function tenantUpdates(
  feed: EditFeed,
  replay: Replay,
  context: GatewayContext,
  afterCursor: string | null,
  options: TenantReplayOptions,
  now = Date.now(),
): Promise<AsyncIterableIterator<EditUpdateView>> {
  let start: string | null = null;
  if (afterCursor !== null) {
    const position = decodeFeedCursor(afterCursor);
    if (!position) {
      throw new GraphQLError('afterCursor is not a feed cursor (EditUpdate.cursor)', {
        extensions: { code: 'BAD_USER_INPUT' },
      });
    }
    if (now - position.recordedAt.getTime() > options.maxAgeMs) {
      throw new GraphQLError(
        `afterCursor is older than ${Math.round(options.maxAgeMs / 1000)} s: resynchronise with edits(filter: { createdAfter }) and Edit.updates`,
        { extensions: { code: 'CURSOR_EXPIRED' } },
      );
    }
    start = encodeFeedCursor({
      recordedAt: new Date(position.recordedAt.getTime() - options.lookbackMs),
      id: '0',
    });
  }

  const lastSeq = new Map<string, number>();
  let live: EditUpdateView[] | null = [];
  let chain = Promise.resolve();
  const stream = new FeedStream(() => stop());
  const deliver = async (update: EditUpdateView, fillGaps: boolean) => {
    const last = lastSeq.get(update.editId);
    if (last !== undefined && update.seq <= last) return;
    if (fillGaps && last !== undefined && update.seq > last + 1) {
      for (const missed of await replay.edit(context, update.editId, last)) {
        if (missed.seq > (lastSeq.get(update.editId) ?? 0) && missed.seq < update.seq) {
          lastSeq.set(update.editId, missed.seq);
          stream.push(missed);
        }
      }
    }
    lastSeq.set(update.editId, update.seq);
    stream.push(update);
  };
  // Listen first, so that nothing announced while the history is read is lost.
  const stop = feed.listen({ tenantId: context.tenantId }, (entry) => {
    if (entry.tenantId !== context.tenantId) return;
    if (live) live.push(entry.update);
    else chain = chain.then(() => deliver(entry.update, true)).catch(() => undefined);
  });
  try {
    for (let cursor = start; cursor !== null;) {
      const page = await replay.tenant(context, cursor, options.pageSize);
      for (const update of page.updates) await deliver(update, false);
      cursor = page.hasMore ? page.endCursor : null;
    }
  } catch (error) {
    stop();
    throw error;
  }
  const pending = live;
  live = null;
  for (const update of pending) await deliver(update, start !== null);
  return stream;
}

/**
 * The schema served over WebSocket (graphql-ws) beside the federated HTTP endpoint: the
 * supergraph's API types (EditUpdate is the edits subgraph's) and a Subscription root.
 */
export function subscriptionSchema(
  supergraphSdl: string,
  feed: EditFeed,
  replay: Replay,
  tenantReplay: TenantReplayOptions,
): GraphQLSchema {
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
        description:
          "Every feed entry of the caller's tenant's edits. With afterCursor (an EditUpdate.cursor), " +
          'what was recorded since shortly before it first (entries may come again: dedupe by editId and seq).',
        args: {
          afterCursor: {
            type: GraphQLString,
            description: 'The cursor of the last entry the client saw.',
          },
        },
        subscribe: (_root, args: { afterCursor?: string | null }, context) =>
          tenantUpdates(feed, replay, context, args.afterCursor ?? null, tenantReplay),
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
