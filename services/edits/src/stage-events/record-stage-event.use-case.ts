import { DomainError, ErrorCode } from '@f2f/common';
import { asTenantId } from '@f2f/database';
import { type HandlerContext, OutboxWriter } from '@f2f/messaging';
import { Injectable } from '@nestjs/common';

import { EditsRepository } from '../persistence/edits.repository';
import { applyStageEvent, type EditState, type StageEvent } from './edit-state';
import { recordInHistory } from './edit-update';
import { historyKeyScope, newHistoryEntry } from './history-key';

/**
 * Every stage event: recorded in the edit's history, applied to the edit, and announced on
 * edit.status (the live feed: the status after it and the entry in domain terms), all in the
 * transaction that records the event as handled; what the history already holds (by key, not by
 * event id) is recorded and announced once.
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
      // The entry's meaning is recorded once (history-key.ts): a re-published or retried event
      // whose key the history has changes nothing and announces nothing; the history and the edit
      // move together, so that replaying the history gives the edit's state.
      const recorded = await this.edits.historyKeys(tx, tenantId, edit.id, historyKeyScope(event));
      const entry = newHistoryEntry(event, recorded);
      if (!entry) {
        ctx.logger.debug({ type: event.type }, 'already in the history: nothing recorded');
        return;
      }
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
      const after = applyStageEvent(before, entry.event, new Date());
      const seq = edit.historySeq + 1;
      await tx.edit.update({ where: { id: edit.id }, data: { ...after, historySeq: seq } });
      await recordInHistory(tx, this.outbox, entry, { id: edit.id, tenantId }, seq, {
        before: before.status,
        after: after.status,
      });
      if (after.status !== before.status) {
        ctx.logger.info({ from: before.status, to: after.status }, 'edit status changed');
      }
    });
  }
}
