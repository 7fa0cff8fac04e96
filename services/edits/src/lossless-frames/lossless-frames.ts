import { type Clock, type Logger, systemClock } from '@f2f/common';
import type { TenantId } from '@f2f/database';
import { BLOB_STORE, CLOCK, LOGGER } from '@f2f/platform';
import { frameAsPng } from '@f2f/imaging';
import { blobKeys, type BlobStore } from '@f2f/storage';
import { Inject, Injectable, Optional } from '@nestjs/common';

import type { Edit, Frame } from '../database';
import { EDITS_REPOSITORY, type EditsRepository } from '../persistence/edits';

const FINAL_STATUSES: ReadonlySet<string> = new Set(['COMPLETED', 'FAILED', 'CANCELLED']);

type FramePlace = Pick<Frame, 'tenantId' | 'editId' | 'candidate' | 'index'>;
type StoredFrame = FramePlace & Pick<Frame, 'blobKey'>;

const losslessKeyOf = (f: FramePlace) => blobKeys.losslessFrame(f.tenantId, f.editId, f.candidate, f.index);
const resultCopyKeyOf = (f: FramePlace) => blobKeys.resultFrame(f.tenantId, f.editId, f.candidate, f.index);
const isPng = (f: StoredFrame) => f.blobKey.endsWith('.png');

/** How long a completed edit keeps all its lossless copies (LOSSLESS_COPIES_KEPT_HOURS). */
export interface LosslessSettings {
  keptForMs: number;
  sweepIntervalSeconds: number;
}
export const LOSSLESS_SETTINGS = Symbol('LosslessSettings');
/** Without settings (tests): the copies go when the edit is final, and nothing sweeps. */
const PRUNE_AT_ONCE: LosslessSettings = { keptForMs: 0, sweepIntervalSeconds: 0 };

/**
 * The edited frames' lossless copies (PNG) that video-generation keeps beside frames stored lossy
 * (FRAME_FORMAT webp/avif): metrics and selection read them. A completed edit keeps them all for
 * LOSSLESS_COPIES_KEPT_HOURS, so that a frame a user re-chooses meanwhile (selectFrame) is a lossless
 * result; then (the sweep) only the selected frame's copy, the edit's result, and the platform's own
 * choice's stay, so that an edit keeps its frames at the lossy format's bytes. A failed or cancelled
 * edit's copies go at once. With FRAME_FORMAT png there are no copies: the frame itself is lossless.
 *
 * A frame the user chooses once its copy is gone gets a PNG decoded from the stored frame (its result
 * copy), so that the result downloads as a PNG whichever frame is chosen; its pixels are the stored
 * frame's.
 */
@Injectable()
export class LosslessFrames {
  constructor(
    @Inject(EDITS_REPOSITORY) private readonly edits: EditsRepository,
    @Inject(BLOB_STORE) private readonly blobs: BlobStore,
    @Inject(LOGGER) private readonly logger: Logger,
    @Optional() @Inject(LOSSLESS_SETTINGS) readonly settings: LosslessSettings = PRUNE_AT_ONCE,
    @Optional() @Inject(CLOCK) private readonly clock: Clock = systemClock,
  ) {}

  /**
   * The key to serve as the frame's result: its lossless copy when one is kept, else its result copy
   * (keepAsResult), else the stored frame.
   */
  async resultKey(frame: StoredFrame): Promise<string> {
    if (isPng(frame)) return frame.blobKey;
    return (await this.keptCopy(frame)) ?? frame.blobKey;
  }

  /**
   * Makes sure a frame chosen as the result downloads as a PNG: a lossy frame whose lossless copy is
   * gone gets a result copy decoded from the stored frame. A PNG frame, a kept lossless copy or an
   * existing result copy need nothing.
   */
  async keepAsResult(frame: StoredFrame): Promise<void> {
    if (isPng(frame) || (await this.keptCopy(frame))) return;
    await this.blobs.put(
      resultCopyKeyOf(frame),
      await frameAsPng(await this.blobs.get(frame.blobKey)),
      'image/png',
    );
  }

  /**
   * Once the edit is final: deletes the result copies of every frame but the selected one, and unless
   * the edit completed less than LOSSLESS_COPIES_KEPT_HOURS ago, the lossless copies of every frame
   * but the selected one and the platform's own choice (all of them when no frame was selected), then
   * records that the edit is pruned. Deleting a copy that is not there is a no-op, so a repeat or a
   * PNG-format edit changes nothing. Returns how many frames' lossless copies it deleted.
   */
  async prune(tenantId: TenantId, editId: string): Promise<number> {
    const edit = await this.edits.findEdit(tenantId, editId);
    if (!edit || !FINAL_STATUSES.has(edit.status)) return 0;
    const now = this.clock.now();
    const completed = edit.status === 'COMPLETED';
    const at = (f: Frame, candidate: number | null, index: number | null) =>
      completed && f.candidate === (candidate ?? 0) && f.index === index;
    const selected = (f: Frame) => at(f, edit.selectedCandidate, edit.selectedFrameIndex);
    const platformChoice = (f: Frame) =>
      edit.originalPolicy !== null && at(f, edit.originalCandidate, edit.originalFrameIndex);
    const doomed = (await this.edits.frames(tenantId, editId)).filter((f) => !selected(f));
    const keepAll = completed && this.keptUntil(edit) > now.getTime();
    const losslessDoomed = keepAll ? [] : doomed.filter((f) => !platformChoice(f));
    await Promise.all([
      ...losslessDoomed.map((f) => this.blobs.delete(losslessKeyOf(f))),
      // Result copies exist only once a user re-chose.
      ...(edit.originalPolicy === null ? [] : doomed.map((f) => this.blobs.delete(resultCopyKeyOf(f)))),
    ]);
    if (!keepAll && edit.losslessPrunedAt === null)
      await this.edits.markLosslessPruned(tenantId, editId, now);
    return losslessDoomed.length;
  }

  /** prune() in the background: a failure leaves copies behind (logged) for the sweep, never fails the event. */
  pruneInBackground(tenantId: string, editId: string): void {
    this.prune(tenantId as TenantId, editId).catch((error: unknown) =>
      this.logger.warn({ err: error, editId, tenantId }, 'lossless frame copies not deleted'),
    );
  }

  /**
   * The sweep: prunes the final edits not pruned yet (completed ones once LOSSLESS_COPIES_KEPT_HOURS
   * passed; failed and cancelled ones whose prune at the end failed), `batch` at a time, oldest first.
   * Safe on several replicas: a prune is idempotent. Returns how many edits it pruned.
   */
  async sweep(batch = 100): Promise<number> {
    const completedBefore = new Date(this.clock.now().getTime() - this.settings.keptForMs);
    const seen = new Set<string>();
    for (;;) {
      const due = (await this.edits.withLosslessCopies(completedBefore, batch)).filter(
        (e) => !seen.has(e.id),
      );
      for (const { tenantId, id } of due) {
        seen.add(id);
        await this.prune(tenantId, id);
      }
      // A short batch is the last; one with only edits seen already made no progress.
      if (due.length < batch) break;
    }
    const pruned = seen.size;
    if (pruned > 0) this.logger.info({ edits: pruned }, 'lossless frame copies pruned');
    return pruned;
  }

  /** The frame's lossless copy, else its result copy, when one is there. */
  private async keptCopy(frame: FramePlace): Promise<string | null> {
    for (const key of [losslessKeyOf(frame), resultCopyKeyOf(frame)])
      if (await this.blobs.exists(key)) return key;
    return null;
  }

  private keptUntil(edit: Edit): number {
    return (edit.completedAt ?? edit.updatedAt).getTime() + this.settings.keptForMs;
  }
}
