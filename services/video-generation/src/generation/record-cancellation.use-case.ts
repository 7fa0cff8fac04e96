import type { Tx } from '../database';
import type { EventEnvelope, Topic } from '@f2f/contracts';
import type { HandlerContext } from '@f2f/messaging';
import { Inject, Injectable } from '@nestjs/common';

import { CANCELLED_EDITS, type CancelledEditsRepository } from './cancelled-edits.repository';
import { RunningGenerations } from './running-generations';

/**
 * edit.status CANCELLED -> the edit is recorded as cancelled here (so that its generation never
 * starts, whenever caption.completed arrives) and its generation in this process, if one runs, is
 * stopped. Other statuses are none of video-generation's business. Returns whether a running
 * generation was stopped.
 */
@Injectable()
export class RecordCancellationUseCase {
  constructor(
    @Inject(CANCELLED_EDITS) private readonly cancelled: CancelledEditsRepository,
    private readonly running: RunningGenerations,
  ) {}

  async execute(event: EventEnvelope<Topic.EditStatus>, ctx: HandlerContext<Tx>): Promise<boolean> {
    if (event.payload.status !== 'CANCELLED') return false;
    await ctx.transaction((tx) =>
      this.cancelled.record(tx, {
        editId: event.editId,
        tenantId: event.tenantId,
        cancelledAt: new Date(event.occurredAt),
      }),
    );
    const stopped = this.running.cancel(event.editId);
    ctx.logger.info({ stopped }, 'edit cancelled');
    return stopped;
  }
}
