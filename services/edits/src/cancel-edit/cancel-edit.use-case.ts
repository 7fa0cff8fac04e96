import { randomUUID } from 'node:crypto';

import { type Clock, DomainError, ErrorCode, systemClock } from '@f2f/common';
import { EDIT_CANCELLED, TERMINAL_STATUSES } from '@f2f/contracts';
import type { TenantId } from '@f2f/database';
import type { Edit } from '../database';
import { CLOCK } from '@f2f/platform';
import { Inject, Injectable, Optional } from '@nestjs/common';

import { EDIT_HISTORY, type EditHistory } from '../history/edit-history';
import { EDITS_REPOSITORY, type EditsRepository } from '../persistence/edits';
import { type Transactions, TRANSACTIONS } from '../persistence/transactions';

/**
 * Cancels an edit that is still running: the edit becomes CANCELLED and edit.status announces it,
 * which stops its GPU work (video-generation cancels the gRPC call). Cancelling a cancelled edit
 * changes nothing; a completed or failed edit cannot be cancelled.
 */
@Injectable()
export class CancelEditUseCase {
  constructor(
    @Inject(TRANSACTIONS) private readonly transactions: Transactions,
    @Inject(EDITS_REPOSITORY) private readonly edits: EditsRepository,
    @Inject(EDIT_HISTORY) private readonly history: EditHistory,
    @Optional() @Inject(CLOCK) private readonly clock: Clock = systemClock,
  ) {}

  async execute(tenantId: TenantId, id: string): Promise<Edit> {
    return this.transactions.run(async (tx) => {
      const edit = await this.edits.lockEdit(tx, tenantId, id);
      if (!edit) throw new DomainError(ErrorCode.NotFound, `no edit ${id}`);
      if (edit.status === 'CANCELLED') return edit;
      if (TERMINAL_STATUSES.has(edit.status)) {
        throw new DomainError(
          ErrorCode.Conflict,
          `the edit is ${edit.status.toLowerCase()} and cannot be cancelled`,
        );
      }
      const seq = edit.historySeq + 1;
      const now = this.clock.now();
      const updated = await this.edits.update(tx, tenantId, edit.id, {
        status: 'CANCELLED',
        completedAt: now,
        historySeq: seq,
      });
      await this.history.append(
        tx,
        { id: edit.id, tenantId },
        {
          seq,
          type: EDIT_CANCELLED,
          key: EDIT_CANCELLED,
          payload: { previousStatus: edit.status },
          occurredAt: now,
          eventId: randomUUID(),
        },
        { status: { before: edit.status, after: 'CANCELLED' }, cause: 'cancelEdit' },
      );
      return updated;
    });
  }
}
