import type { Logger } from '@f2f/common';
import type { EditUpdateView } from '@f2f/contracts';
import type { Kafka } from 'kafkajs';

import { EditFeed, type FeedEntry } from '../edit-feed';

const entry = (tenantId: string, editId: string, seq = 1): FeedEntry => ({
  tenantId,
  editId,
  update: { editId, seq } as EditUpdateView,
});

/** Dispatch only (no Kafka): start() is what reads the topic. */
const feed = () => new EditFeed({} as Kafka, 'test.', {} as Logger);

describe('EditFeed.dispatch', () => {
  it("hands an entry to its edit's listeners and its tenant's, and to no one else", () => {
    const f = feed();
    const got: string[] = [];
    f.listen({ tenantId: 't1', editId: 'e1' }, (e) => got.push(`edit e1 <- ${e.editId}`));
    f.listen({ tenantId: 't1', editId: 'e2' }, (e) => got.push(`edit e2 <- ${e.editId}`));
    f.listen({ tenantId: 't1' }, (e) => got.push(`tenant t1 <- ${e.editId}`));
    f.listen({ tenantId: 't2' }, (e) => got.push(`tenant t2 <- ${e.editId}`));
    // Another tenant's edit of the same id reaches neither t1's edit listener nor t1's feed.
    f.listen({ tenantId: 't2', editId: 'e1' }, (e) => got.push(`t2 edit e1 <- ${e.tenantId}`));

    f.dispatch(entry('t1', 'e1'));
    expect(got).toEqual(['edit e1 <- e1', 'tenant t1 <- e1']);
    got.length = 0;
    f.dispatch(entry('t2', 'e1'));
    expect(got).toEqual(['t2 edit e1 <- t2', 'tenant t2 <- e1']);
    expect(f.listenerCount).toBe(5);
  });

  it('stops delivering to a removed listener, once, and keeps the others', () => {
    const f = feed();
    const a: number[] = [];
    const b: number[] = [];
    const stopA = f.listen({ tenantId: 't', editId: 'e' }, (e) => a.push(e.update.seq));
    f.listen({ tenantId: 't', editId: 'e' }, (e) => b.push(e.update.seq));
    f.dispatch(entry('t', 'e', 1));
    stopA();
    stopA();
    f.dispatch(entry('t', 'e', 2));
    expect(a).toEqual([1]);
    expect(b).toEqual([1, 2]);
    expect(f.listenerCount).toBe(1);
  });

  it('lets a listener remove itself while an entry is being delivered', () => {
    const f = feed();
    const seen: string[] = [];
    const stop = f.listen({ tenantId: 't', editId: 'e' }, () => {
      seen.push('first');
      stop();
    });
    f.listen({ tenantId: 't', editId: 'e' }, () => seen.push('second'));
    f.dispatch(entry('t', 'e'));
    f.dispatch(entry('t', 'e', 2));
    expect(seen).toEqual(['first', 'second', 'second']);
  });
});
