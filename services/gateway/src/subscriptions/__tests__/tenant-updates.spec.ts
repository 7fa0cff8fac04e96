import { decodeFeedCursor, encodeFeedCursor, type EditUpdateView } from '@f2f/contracts';

import type { GatewayContext } from '../../auth/request-auth';
import type { EditFeed, FeedEntry } from '../edit-feed';
import type { TenantFeedPage } from '../replay';
import { type Replay, tenantUpdates } from '../subscription-schema';

const context = { tenantId: 'acme', scopes: ['read'], keyId: 'k1', requestId: 'r1' } as GatewayContext;
const T0 = Date.parse('2026-11-29T10:00:00Z');
const OPTIONS = { lookbackMs: 10_000, maxAgeMs: 3_600_000, pageSize: 2 };

function update(editId: string, seq: number, at = T0 + seq * 1000): EditUpdateView {
  return {
    editId,
    seq,
    type: 'video.progress',
    status: 'GENERATING',
    cursor: encodeFeedCursor({ recordedAt: new Date(at), id: String(seq) }),
  } as EditUpdateView;
}

/** A feed the test drives by hand (the Kafka-backed EditFeed has the same listen(); this one ignores scopes). */
function fakeFeed() {
  const listeners = new Set<(e: FeedEntry) => void>();
  return {
    feed: {
      listen: (_scope: unknown, l: (e: FeedEntry) => void) => {
        listeners.add(l);
        return () => listeners.delete(l);
      },
    } as unknown as EditFeed,
    emit: (tenantId: string, u: EditUpdateView) => {
      for (const l of listeners) l({ tenantId, editId: u.editId, update: u });
    },
    get listeners() {
      return listeners.size;
    },
  };
}

async function take(stream: AsyncIterableIterator<EditUpdateView>, n: number): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const { value } = await stream.next();
    out.push(`${value!.editId}#${value!.seq}`);
  }
  return out;
}

describe('tenantUpdates (editsUpdated)', () => {
  it('replays the tenant feed page by page from shortly before the cursor, then goes live without repeating an entry', async () => {
    const history = [update('a', 1), update('b', 1), update('a', 2), update('b', 2), update('a', 3)];
    const asked: string[] = [];
    const { feed, emit } = fakeFeed();
    const replay: Replay = {
      edit: async () => [],
      tenant: async (_ctx, after, first): Promise<TenantFeedPage> => {
        asked.push(after);
        const from = history.findIndex((u) => u.cursor === after) + 1;
        const page = history.slice(from, from + first);
        // An entry announced live while the history is being read: delivered once, after it.
        if (asked.length === 1) emit('acme', update('a', 2));
        return {
          updates: page,
          endCursor: page.at(-1)?.cursor ?? after,
          hasMore: from + first < history.length,
        };
      },
    };
    const cursor = update('a', 1, T0 + 20_000).cursor!;
    const stream = await tenantUpdates(feed, replay, context, cursor, OPTIONS, T0 + 30_000);
    // The first page starts lookbackMs before the cursor's time, at the first row of that instant.
    const start = decodeFeedCursor(asked[0]);
    expect(start).toEqual({ recordedAt: new Date(T0 + 10_000), id: '0' });
    expect(asked).toHaveLength(3);
    emit('acme', update('a', 3)); // already replayed
    emit('other', update('x', 1)); // another tenant's
    emit('acme', update('b', 3));
    expect(await take(stream, 6)).toEqual(['a#1', 'b#1', 'a#2', 'b#2', 'a#3', 'b#3']);
    await stream.return!();
  });

  it("fills a gap in an edit's live sequence from its history, and stops listening when the client leaves", async () => {
    const f = fakeFeed();
    const { feed, emit } = f;
    const replay: Replay = {
      edit: async (_ctx, editId, afterSeq) =>
        [update(editId, 2), update(editId, 3), update(editId, 4)].filter((u) => u.seq > afterSeq),
      tenant: async () => ({ updates: [], endCursor: '', hasMore: false }),
    };
    const stream = await tenantUpdates(feed, replay, context, null, OPTIONS);
    emit('acme', update('e', 1));
    emit('acme', update('e', 4));
    expect(await take(stream, 4)).toEqual(['e#1', 'e#2', 'e#3', 'e#4']);
    expect(f.listeners).toBe(1);
    await stream.return!();
    expect(f.listeners).toBe(0);
  });

  it('refuses a cursor that is not one, or is older than the replay keeps', async () => {
    const { feed } = fakeFeed();
    const replay: Replay = {
      edit: async () => [],
      tenant: async () => ({ updates: [], endCursor: '', hasMore: false }),
    };
    await expect(tenantUpdates(feed, replay, context, 'not-a-cursor', OPTIONS)).rejects.toMatchObject({
      extensions: { code: 'BAD_USER_INPUT' },
    });
    const old = update('a', 1, T0).cursor!;
    await expect(
      tenantUpdates(feed, replay, context, old, OPTIONS, T0 + OPTIONS.maxAgeMs + 1),
    ).rejects.toMatchObject({ extensions: { code: 'CURSOR_EXPIRED' } });
  });
});
