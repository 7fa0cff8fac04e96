import type { EditHistoryType, EditStatus, EventEnvelope, Topic } from '@f2f/contracts';
import type { TenantId } from '@f2f/database';
import type { Tx } from '../database';

/** An entry to append to an edit's history, at `seq` (the caller holds the edit's row lock). */
export interface NewHistoryEntry {
  seq: number;
  type: EditHistoryType;
  /** What the entry means (stage-events/history-key.ts); unique per edit. */
  key: string;
  payload: unknown;
  occurredAt: Date;
  /** The id of the event that brought the entry (a fresh one for a user's own operation). */
  eventId: string;
}

/** How the entry is announced on edit.status. */
export interface HistoryAnnouncement {
  status: { before: EditStatus | null; after: EditStatus };
  /** edit.status's `cause`: the event type or the operation (cancelEdit) behind the entry. */
  cause: string;
  /** The event behind the entry, whose trace the announcement continues; none for a user's operation. */
  causeEvent?: EventEnvelope<Topic>;
}

/**
 * An edit's history: every entry is appended and announced on edit.status (the live feed: the
 * status after it and the entry in domain terms) in the caller's transaction, by an event whose id
 * is a function of the entry (historyEntryEventId), so that however often the outbox publishes it,
 * it is one announcement.
 */
export interface EditHistory {
  append(
    tx: Tx,
    edit: { id: string; tenantId: TenantId },
    entry: NewHistoryEntry,
    announcement: HistoryAnnouncement,
  ): Promise<void>;
  /** The keys of the edit's entries that start with `scope`. */
  keys(tx: Tx, tenantId: TenantId, editId: string, scope: string): Promise<string[]>;
}
export const EDIT_HISTORY = Symbol('EditHistory');
