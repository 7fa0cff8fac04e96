import { DomainError, ErrorCode } from '@f2f/common';
import { asTenantId } from '@f2f/database';
import { type HandlerContext, OutboxWriter } from '@f2f/messaging';
import { Injectable } from '@nestjs/common';

import { EditsRepository } from '../persistence/edits.repository';
import { applyStageEvent, type EditState, type StageEvent } from './edit-state';
import { recordInHistory } from './edit-update';

/**
 * Every stage event: recorded in the edit's history, applied to the edit, and announced on
 * edit.status (the live feed: the status after it and the entry in domain terms), all in the
 * transaction that records the event as handled.
 */
@Injectable()
export class RecordStageEventUseCase {
  constructor(
    private readonly edits: EditsRepository,
    private readonly outbox: OutboxWriter,
  ) {}

  async execute(event: StageEvent, ctx: Pick<HandlerContext, 'transaction' | 'logger'>): Promise<void> {
    const tenantId = asTenantId(event.tenantId);
    await ctx.transaction(async (tx) => {
      const edit = await this.edits.lockEdit(tx, tenantId, event.editId);
      if (!edit)
        throw new DomainError(
          ErrorCode.NotFound,
          `edit ${event.editId} of tenant ${event.tenantId} does not exist`,
        );
      const before: EditState = {
        status: edit.status,
        temporalCaption: edit.temporalCaption,
        captionProvenance: edit.captionProvenance,
        progressStep: edit.progressStep,
        progressTotal: edit.progressTotal,
        framesReady: edit.framesReady,
        selectedCandidate: edit.selectedCandidate,
        selectedFrameIndex: edit.selectedFrameIndex,
        selectionPolicy: edit.selectionPolicy,
        selectionReason: edit.selectionReason,
        metricsReady: edit.metricsReady,
        failureCode: edit.failureCode,
        failureReason: edit.failureReason,
        completedAt: edit.completedAt,
      };
      const after = applyStageEvent(before, event, new Date());
      const seq = edit.historySeq + 1;
      await tx.edit.update({ where: { id: edit.id }, data: { ...after, historySeq: seq } });
      await recordInHistory(tx, this.outbox, event, { id: edit.id, tenantId }, seq, {
        before: before.status,
        after: after.status,
      });
      if (after.status !== before.status) {
        ctx.logger.info({ from: before.status, to: after.status }, 'edit status changed');
      }
    });
  }
}
