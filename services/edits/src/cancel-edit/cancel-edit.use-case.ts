import { randomUUID } from 'node:crypto';

import { DomainError, ErrorCode } from '@f2f/common';
import { historyEntryEventId, makeEnvelope, TERMINAL_STATUSES, Topic } from '@f2f/contracts';
import type { TenantId } from '@f2f/database';
import type { Edit, PrismaClient } from '../database';
import { OutboxWriter } from '@f2f/messaging';
import { PRISMA } from '@f2f/platform';
import { Inject, Injectable } from '@nestjs/common';

import { EditsRepository } from '../persistence/edits.repository';

import { toEditUpdate } from '../stage-events/edit-update';

/**
 * Cancels an edit that is still running: the edit becomes CANCELLED and edit.status announces it,
 * which stops its GPU work (video-generation cancels the gRPC call). Cancelling a cancelled edit
 * changes nothing; a completed or failed edit cannot be cancelled.
 */
@Injectable()
export class CancelEditUseCase {
  constructor(
    @Inject(PRISMA) private readonly prisma: PrismaClient,
    private readonly edits: EditsRepository,
    private readonly outbox: OutboxWriter,
  ) {}

  async execute(tenantId: TenantId, id: string): Promise<Edit> {
    return this.prisma.$transaction(async (tx) => {
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
      const occurredAt = new Date();
      const updated = await tx.edit.update({
        where: { id: edit.id },
        data: { status: 'CANCELLED', completedAt: new Date(), historySeq: seq },
      });
      const eventId = randomUUID();
      const row = await tx.editEvent.create({
        data: {
          tenantId,
          editId: edit.id,
          seq,
          eventId,
          type: 'edit.cancelled',
          key: 'edit.cancelled',
          payload: { previousStatus: edit.status },
          occurredAt,
        },
        select: { id: true, recordedAt: true },
      });
      const status = makeEnvelope({
        eventId: historyEntryEventId(edit.id, seq),
        type: Topic.EditStatus,
        editId: edit.id,
        tenantId,
        payload: {
          status: 'CANCELLED',
          previousStatus: edit.status,
          seq,
          cause: 'cancelEdit',
          update: toEditUpdate({ seq, type: 'edit.cancelled', payload: {}, occurredAt, ...row }, 'CANCELLED'),
        },
      });
      await this.outbox.enqueue(tx, status);
      return updated;
    });
  }
}
