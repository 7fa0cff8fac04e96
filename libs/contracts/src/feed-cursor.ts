/**
 * A position in a tenant's feed: the history entry's recording time and row id, the order in which
 * the edits service recorded entries. Opaque to clients (base64url); `EditUpdate.cursor` carries it
 * on every feed entry, live or replayed, and `editsUpdated(afterCursor)` resumes from it.
 */
export interface FeedPosition {
  recordedAt: Date;
  /** The history row's id (a bigint, as a decimal string). */
  id: string;
}

const PREFIX = 'f1';

export function encodeFeedCursor(position: FeedPosition): string {
  return Buffer.from(`${PREFIX}:${position.recordedAt.getTime()}:${position.id}`).toString('base64url');
}

/** The position a cursor names, or null when the value is not a feed cursor. */
export function decodeFeedCursor(value: string): FeedPosition | null {
  if (value.length === 0 || value.length > 80 || !/^[A-Za-z0-9_-]+$/.test(value)) return null;
  const match = /^f1:(\d{1,15}):(\d{1,19})$/.exec(Buffer.from(value, 'base64url').toString());
  if (!match) return null;
  const recordedAt = new Date(Number(match[1]));
  if (Number.isNaN(recordedAt.getTime())) return null;
  return { recordedAt, id: match[2] };
}
