import { decodeFeedCursor, encodeFeedCursor } from '../feed-cursor';

describe('feed cursors', () => {
  it('round-trips a position (time to the millisecond, a bigint row id)', () => {
    const position = { recordedAt: new Date('2026-11-29T10:11:12.345Z'), id: '9007199254740993' };
    const cursor = encodeFeedCursor(position);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeFeedCursor(cursor)).toEqual(position);
  });

  it.each([
    ['empty', ''],
    ['not base64url', 'a+b/c=='],
    ['another kind of cursor', Buffer.from('1764410000000:3f2a').toString('base64url')],
    ['a negative id', Buffer.from('f1:1764410000000:-1').toString('base64url')],
    ['too long', 'A'.repeat(81)],
  ])('rejects %s', (_name, value) => {
    expect(decodeFeedCursor(value)).toBeNull();
  });
});
