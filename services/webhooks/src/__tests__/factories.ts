import { randomUUID } from 'node:crypto';

import { type EditStatus, editUpdateSchema, historyEntryEventId, makeEnvelope, Topic } from '@f2f/contracts';

/** An edit.status event announcing one history entry, as the edits service publishes it (its id: the entry's). */
export function makeEditStatus(
  tenantId: string,
  type: string,
  options: { editId?: string; seq?: number; status?: EditStatus; occurredAt?: Date } = {},
) {
  const status = options.status ?? 'GENERATING';
  const occurredAt = options.occurredAt ?? new Date();
  const editId = options.editId ?? randomUUID();
  return makeEnvelope({
    eventId: historyEntryEventId(editId, options.seq ?? 2),
    type: Topic.EditStatus,
    editId,
    tenantId,
    occurredAt,
    payload: {
      status,
      previousStatus: 'CAPTIONING',
      seq: options.seq ?? 2,
      cause: type,
      update: editUpdateSchema.parse({
        seq: options.seq ?? 2,
        type,
        status,
        occurredAt: occurredAt.toISOString(),
        ...(type === 'caption.completed'
          ? { temporalCaption: 'The dog sits down.', captionProvenance: 'template' }
          : {}),
        ...(type === 'frame.selected'
          ? { selection: { candidate: 0, frameIndex: 40, policy: 'vlm', reason: 'the dog sits' } }
          : {}),
      }),
    },
  });
}
