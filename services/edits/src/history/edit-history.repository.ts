import { historyEntryEventId, makeEnvelope, Topic } from '@f2f/contracts';
import type { TenantId } from '@f2f/database';
import type { Tx } from '../database';
import type { OutboxWriter } from '@f2f/messaging';

import { toEditUpdate } from '../stage-events/edit-update';
import type { EditHistory, HistoryAnnouncement, NewHistoryEntry } from './edit-history';

/** The history in edit_events, announced through the edits outbox. */
export class PrismaEditHistory implements EditHistory {
  constructor(private readonly outbox: Pick<OutboxWriter, 'enqueue'>) {}

  async append(
    tx: Tx,
    edit: { id: string; tenantId: TenantId },
    entry: NewHistoryEntry,
    { status, cause, causeEvent }: HistoryAnnouncement,
  ): Promise<void> {
    const row = await tx.editEvent.create({
      data: {
        tenantId: edit.tenantId,
        editId: edit.id,
        seq: entry.seq,
        eventId: entry.eventId,
        type: entry.type,
        key: entry.key,
        payload: entry.payload as object,
        occurredAt: entry.occurredAt,
      },
      select: { id: true, recordedAt: true },
    });
    await this.outbox.enqueue(
      tx,
      makeEnvelope({
        eventId: historyEntryEventId(edit.id, entry.seq),
        type: Topic.EditStatus,
        editId: edit.id,
        tenantId: edit.tenantId,
        cause: causeEvent,
        payload: {
          status: status.after,
          previousStatus: status.before,
          seq: entry.seq,
          cause,
          update: toEditUpdate({ ...entry, ...row }, status.after),
        },
      }),
    );
  }

  async keys(tx: Tx, tenantId: TenantId, editId: string, scope: string): Promise<string[]> {
    const rows = await tx.editEvent.findMany({
      where: { tenantId, editId, key: { startsWith: scope } },
      select: { key: true },
    });
    return rows.map((r) => r.key);
  }
}
