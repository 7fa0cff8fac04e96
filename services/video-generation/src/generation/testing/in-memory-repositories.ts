import type { EventEnvelope, Topic } from '@f2f/contracts';

import type { Cancellation, CancelledEditsRepository } from '../cancelled-edits.repository';
import type { OutboxRepository } from '../outbox.repository';

export class InMemoryCancelledEdits implements CancelledEditsRepository {
  readonly rows = new Map<string, Cancellation>();

  async record(_tx: unknown, cancellation: Cancellation): Promise<void> {
    if (!this.rows.has(cancellation.editId)) this.rows.set(cancellation.editId, cancellation);
  }

  async isCancelled(tenantId: string, editId: string): Promise<boolean> {
    return this.rows.get(editId)?.tenantId === tenantId;
  }
}

export class InMemoryOutbox implements OutboxRepository {
  readonly events: EventEnvelope<Topic>[] = [];

  async publish(...events: EventEnvelope<Topic>[]): Promise<void> {
    this.events.push(...events);
  }

  of<T extends Topic>(type: T): EventEnvelope<T>[] {
    return this.events.filter((e): e is EventEnvelope<T> => e.type === type);
  }
}
