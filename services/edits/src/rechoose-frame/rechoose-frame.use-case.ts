import { randomUUID } from 'node:crypto';

import { type Clock, DomainError, ErrorCode, systemClock } from '@f2f/common';
import { eventPayloadSchemas, Topic } from '@f2f/contracts';
import type { Edit } from '../database';
import { CLOCK } from '@f2f/platform';
import { Inject, Injectable, Optional } from '@nestjs/common';

import { EDIT_HISTORY, type EditHistory } from '../history/edit-history';
import { LosslessFrames } from '../lossless-frames/lossless-frames';
import { EDITS_REPOSITORY, type EditsRepository } from '../persistence/edits';
import { type Transactions, TRANSACTIONS } from '../persistence/transactions';
import { frameRechosenKey } from '../stage-events/history-key';
import type { RechooseFrameCommand } from './rechoose-frame.command';

export const USER_POLICY = 'user';

/**
 * selectFrame: a user keeps another frame of a completed edit (any candidate), or the source
 * image, in place of the platform's choice. No GPU work: the frames are already there. The edit
 * keeps the platform's own choice (original_*) the first time, records who chose, and its history
 * gets an edit.frame-rechosen entry, announced on edit.status like every entry, all under the
 * edit's row lock so that the history's seq stays in order. Choosing the current choice again
 * changes nothing. (The entry is not published on a topic of its own: nothing consumed it.)
 * The chosen frame's result downloads as a PNG (LosslessFrames.keepAsResult), and the result copies
 * of frames chosen before are deleted once the choice is committed.
 */
@Injectable()
export class RechooseFrameUseCase {
  constructor(
    @Inject(TRANSACTIONS) private readonly transactions: Transactions,
    @Inject(EDITS_REPOSITORY) private readonly edits: EditsRepository,
    @Inject(EDIT_HISTORY) private readonly history: EditHistory,
    private readonly losslessFrames: LosslessFrames,
    @Optional() @Inject(CLOCK) private readonly clock: Clock = systemClock,
  ) {}

  async execute(command: RechooseFrameCommand): Promise<Edit> {
    const { edit, changed } = await this.choose(command);
    if (changed) this.losslessFrames.pruneInBackground(edit.tenantId, edit.id);
    return edit;
  }

  private choose(command: RechooseFrameCommand): Promise<{ edit: Edit; changed: boolean }> {
    const { tenantId } = command;
    return this.transactions.run(async (tx) => {
      const edit = await this.edits.lockEdit(tx, tenantId, command.editId);
      if (!edit) throw new DomainError(ErrorCode.NotFound, `no edit ${command.editId}`);
      if (edit.status !== 'COMPLETED') {
        throw new DomainError(
          ErrorCode.Conflict,
          `the edit is ${edit.status.toLowerCase()}: a frame can be chosen only once it is completed`,
        );
      }
      let chosen: { candidate: number; index: number; id: string } | null = null;
      if (command.frameId !== null) {
        const frame = await this.edits.frameOfEdit(tx, tenantId, edit.id, command.frameId);
        if (!frame)
          throw new DomainError(ErrorCode.NotFound, `edit ${edit.id} has no frame ${command.frameId}`);
        chosen = { candidate: frame.candidate, index: frame.index, id: frame.id };
        await this.losslessFrames.keepAsResult(frame);
      }
      const unchanged =
        edit.selectionPolicy === USER_POLICY &&
        edit.selectedCandidate === (chosen?.candidate ?? null) &&
        edit.selectedFrameIndex === (chosen?.index ?? null) &&
        edit.chosenBy === command.actor;
      if (unchanged) return { edit, changed: false };

      const seq = edit.historySeq + 1;
      const now = this.clock.now();
      const payload = eventPayloadSchemas[Topic.EditFrameRechosen].parse({
        candidate: chosen?.candidate ?? null,
        frameIndex: chosen?.index ?? null,
        frameId: chosen?.id ?? null,
        previous: {
          candidate: edit.selectedCandidate,
          frameIndex: edit.selectedFrameIndex,
          policy: edit.selectionPolicy ?? 'none',
        },
        actor: command.actor,
        seq,
      });
      const firstChoice = edit.originalPolicy === null;
      const updated = await this.edits.update(tx, tenantId, edit.id, {
        ...(firstChoice
          ? {
              originalCandidate: edit.selectedCandidate,
              originalFrameIndex: edit.selectedFrameIndex,
              originalPolicy: edit.selectionPolicy ?? 'none',
              originalReason: edit.selectionReason,
            }
          : {}),
        selectedCandidate: chosen?.candidate ?? null,
        selectedFrameIndex: chosen?.index ?? null,
        selectionPolicy: USER_POLICY,
        selectionReason: chosen
          ? `chosen by the user: frame ${chosen.index} of candidate ${chosen.candidate}`
          : 'chosen by the user: the source image (no edit)',
        chosenBy: command.actor,
        chosenAt: now,
        historySeq: seq,
      });
      const eventId = randomUUID();
      await this.history.append(
        tx,
        { id: edit.id, tenantId },
        {
          seq,
          type: Topic.EditFrameRechosen,
          key: frameRechosenKey(eventId),
          payload,
          occurredAt: now,
          eventId,
        },
        { status: { before: edit.status, after: edit.status }, cause: Topic.EditFrameRechosen },
      );
      return { edit: updated, changed: true };
    });
  }
}
