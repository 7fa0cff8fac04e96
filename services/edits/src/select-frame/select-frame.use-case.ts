import { DomainError, ErrorCode } from '@f2f/common';
import { makeEnvelope, Topic } from '@f2f/contracts';
import type { Edit, PrismaClient } from '../database';
import { OutboxWriter } from '@f2f/messaging';
import { PRISMA } from '@f2f/platform';
import { Inject, Injectable } from '@nestjs/common';

import { EditsRepository } from '../persistence/edits.repository';
import type { SelectFrameCommand } from './select-frame.command';
import { recordInHistory } from '../stage-events/edit-update';
import { frameRechosenKey } from '../stage-events/history-key';

export const USER_POLICY = 'user';

/**
 * A user keeps another frame of a completed edit (any candidate), or the source image. No GPU
 * work: the frames are already there. The edit keeps the platform's own choice (original_*) the
 * first time, records who chose, and its history gets an edit.frame-rechosen entry (published
 * through the outbox), all under the edit's row lock so that the history's seq stays in order.
 * Choosing the current choice again changes nothing.
 */
@Injectable()
export class SelectFrameUseCase {
  constructor(
    @Inject(PRISMA) private readonly prisma: PrismaClient,
    private readonly edits: EditsRepository,
    private readonly outbox: OutboxWriter,
  ) {}

  execute(command: SelectFrameCommand): Promise<Edit> {
    const { tenantId } = command;
    return this.prisma.$transaction(async (tx) => {
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
      }
      const unchanged =
        edit.selectionPolicy === USER_POLICY &&
        edit.selectedCandidate === (chosen?.candidate ?? null) &&
        edit.selectedFrameIndex === (chosen?.index ?? null) &&
        edit.chosenBy === command.actor;
      if (unchanged) return edit;

      const seq = edit.historySeq + 1;
      const event = makeEnvelope({
        type: Topic.EditFrameRechosen,
        editId: edit.id,
        tenantId,
        payload: {
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
        },
      });
      const firstChoice = edit.originalPolicy === null;
      const updated = await tx.edit.update({
        where: { id: edit.id },
        data: {
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
          chosenAt: new Date(event.occurredAt),
          historySeq: seq,
        },
      });
      await this.outbox.enqueue(tx, event);
      // The live feed (edit.status) announces the new choice like any other history entry.
      const entry = { event, key: frameRechosenKey(event.eventId) };
      await recordInHistory(tx, this.outbox, entry, { id: edit.id, tenantId }, seq, {
        before: edit.status,
        after: edit.status,
      });
      return updated;
    });
  }
}
