import { DomainError, ErrorCode } from '@f2f/common';
import { asTenantId, type TenantId } from '@f2f/database';
import { type Edit, type Tx } from '../database';
import type { HandlerContext } from '@f2f/messaging';
import { metrics } from '@f2f/telemetry';
import { Inject, Injectable } from '@nestjs/common';

import { EDIT_HISTORY, type EditHistory } from '../history/edit-history';
import { EDITS_REPOSITORY, type EditsRepository } from '../persistence/edits';
import { FRAMES_REPOSITORY, type FramesRepository } from '../persistence/frames';
import { announcedFrames, announcedMetrics } from './announced-frames';
import { applyStageEvent, type EditState, type StageEvent } from './edit-state';
import { historyKeyScope, newHistoryEntry } from './history-key';

type Context = Pick<HandlerContext<Tx>, 'transaction' | 'logger'>;

const FINAL_STATUSES: ReadonlySet<string> = new Set(['COMPLETED', 'FAILED', 'CANCELLED']);

/**
 * Every stage event: the frames and frame metrics it announces recorded (upserts, so a repeat
 * changes nothing), and the event recorded in the edit's history, applied to the edit, and
 * announced on edit.status, all in the transaction that records the event as handled; what the
 * history already holds (by key, not by event id) is recorded and announced once.
 */
@Injectable()
export class RecordStageEventUseCase {
  constructor(
    @Inject(EDITS_REPOSITORY) private readonly edits: EditsRepository,
    @Inject(EDIT_HISTORY) private readonly history: EditHistory,
    @Inject(FRAMES_REPOSITORY) private readonly frames: FramesRepository,
  ) {}

  async execute(event: StageEvent, ctx: Context): Promise<void> {
    const tenantId = asTenantId(event.tenantId);
    await ctx.transaction(async (tx) => {
      const edit = await this.edits.lockEdit(tx, tenantId, event.editId);
      if (!edit)
        throw new DomainError(
          ErrorCode.NotFound,
          `edit ${event.editId} of tenant ${event.tenantId} does not exist`,
        );
      await this.recordFrames(tx, tenantId, event, ctx);
      // The entry's meaning is recorded once (history-key.ts): a re-published or retried event
      // whose key the history has changes nothing and announces nothing; the history and the edit
      // move together, so that replaying the history gives the edit's state.
      const recorded = await this.history.keys(tx, tenantId, edit.id, historyKeyScope(event));
      const entry = newHistoryEntry(event, recorded);
      if (!entry) {
        ctx.logger.debug({ type: event.type }, 'already in the history: nothing recorded');
        return;
      }
      const before = stateOf(edit);
      const after = applyStageEvent(before, entry.event, new Date());
      const seq = edit.historySeq + 1;
      await this.edits.update(tx, tenantId, edit.id, { ...after, historySeq: seq });
      await this.history.append(
        tx,
        { id: edit.id, tenantId },
        {
          seq,
          type: entry.event.type,
          key: entry.key,
          payload: entry.event.payload,
          occurredAt: new Date(entry.event.occurredAt),
          eventId: entry.event.eventId,
        },
        { status: { before: before.status, after: after.status }, cause: event.type, causeEvent: event },
      );
      if (after.status !== before.status) {
        ctx.logger.info({ from: before.status, to: after.status }, 'edit status changed');
        if (FINAL_STATUSES.has(after.status)) metrics.editsFinished.inc({ status: after.status });
      }
    });
  }

  /** The frames (video.progress, video.generated) and frame metrics (metrics.computed) announced. */
  private async recordFrames(tx: Tx, tenantId: TenantId, event: StageEvent, ctx: Context): Promise<void> {
    const { complete, incomplete } = announcedFrames(event);
    if (complete.length > 0) await this.frames.record(tx, tenantId, event.editId, complete);
    if (incomplete > 0) {
      ctx.logger.debug(
        { type: event.type, frames: incomplete },
        'frames announced without details: not recorded',
      );
    }
    const metrics = announcedMetrics(event);
    if (metrics.length > 0) await this.frames.recordMetrics(tx, tenantId, event.editId, metrics);
  }
}

/** The part of an edit the stage events change. */
function stateOf(edit: Edit): EditState {
  return {
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
}
