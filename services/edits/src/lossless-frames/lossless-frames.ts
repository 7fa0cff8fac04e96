import type { Logger } from '@f2f/common';
import type { TenantId } from '@f2f/database';
import { BLOB_STORE, LOGGER } from '@f2f/platform';
import { frameAsPng } from '@f2f/imaging';
import { blobKeys, type BlobStore } from '@f2f/storage';
import { Inject, Injectable } from '@nestjs/common';

import type { Frame } from '../database';
import { EDITS_REPOSITORY, type EditsRepository } from '../persistence/edits';

const FINAL_STATUSES: ReadonlySet<string> = new Set(['COMPLETED', 'FAILED', 'CANCELLED']);

type FramePlace = Pick<Frame, 'tenantId' | 'editId' | 'candidate' | 'index'>;
type StoredFrame = FramePlace & Pick<Frame, 'blobKey'>;

const losslessKeyOf = (f: FramePlace) => blobKeys.losslessFrame(f.tenantId, f.editId, f.candidate, f.index);
const resultCopyKeyOf = (f: FramePlace) => blobKeys.resultFrame(f.tenantId, f.editId, f.candidate, f.index);
const isPng = (f: StoredFrame) => f.blobKey.endsWith('.png');

/**
 * The edited frames' lossless copies (PNG) that video-generation keeps beside frames stored lossy
 * (FRAME_FORMAT webp/avif): metrics and selection read them; once the edit is final, the selected
 * frame's copy stays as the edit's result (what the client and the eval download) and the others
 * are deleted, so that an edit keeps its frames at the lossy format's bytes. With FRAME_FORMAT png
 * there are no copies and the frame itself is lossless.
 *
 * The platform's own choice keeps its copy after a user re-chooses (choosing it back gives the
 * lossless result again). A frame the user chooses once its copy is gone gets a PNG decoded from the
 * stored frame (its result copy), so that the result downloads as a PNG whichever frame is chosen;
 * its pixels are the stored frame's.
 */
@Injectable()
export class LosslessFrames {
  constructor(
    @Inject(EDITS_REPOSITORY) private readonly edits: EditsRepository,
    @Inject(BLOB_STORE) private readonly blobs: BlobStore,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /**
   * The key to serve as the frame's result: its lossless copy when one is kept, else its result copy
   * (keepAsResult), else the stored frame.
   */
  async resultKey(frame: StoredFrame): Promise<string> {
    if (isPng(frame)) return frame.blobKey;
    for (const key of [losslessKeyOf(frame), resultCopyKeyOf(frame)])
      if (await this.blobs.exists(key)) return key;
    return frame.blobKey;
  }

  /**
   * Makes sure a frame chosen as the result downloads as a PNG: a lossy frame whose lossless copy is
   * gone gets a result copy decoded from the stored frame. A PNG frame, a kept lossless copy or an
   * existing result copy need nothing.
   */
  async keepAsResult(frame: StoredFrame): Promise<void> {
    if (isPng(frame)) return;
    if ((await this.blobs.exists(losslessKeyOf(frame))) || (await this.blobs.exists(resultCopyKeyOf(frame))))
      return;
    await this.blobs.put(
      resultCopyKeyOf(frame),
      await frameAsPng(await this.blobs.get(frame.blobKey)),
      'image/png',
    );
  }

  /**
   * Once the edit is final, deletes the lossless copies of every frame but the selected one and the
   * platform's own choice (all of them when no frame was selected), and the result copies of every
   * frame but the selected one. Deleting a copy that is not there is a no-op, so a repeat or a
   * PNG-format edit changes nothing. Returns how many frames' copies it deleted.
   */
  async prune(tenantId: TenantId, editId: string): Promise<number> {
    const edit = await this.edits.findEdit(tenantId, editId);
    if (!edit || !FINAL_STATUSES.has(edit.status)) return 0;
    const completed = edit.status === 'COMPLETED';
    const at = (f: Frame, candidate: number | null, index: number | null) =>
      completed && f.candidate === (candidate ?? 0) && f.index === index;
    const selected = (f: Frame) => at(f, edit.selectedCandidate, edit.selectedFrameIndex);
    const platformChoice = (f: Frame) =>
      edit.originalPolicy !== null && at(f, edit.originalCandidate, edit.originalFrameIndex);
    const doomed = (await this.edits.frames(tenantId, editId)).filter((f) => !selected(f));
    await Promise.all(
      doomed.flatMap((f) => [
        platformChoice(f) ? undefined : this.blobs.delete(losslessKeyOf(f)),
        edit.originalPolicy === null ? undefined : this.blobs.delete(resultCopyKeyOf(f)),
      ]),
    );
    return doomed.filter((f) => !platformChoice(f)).length;
  }

  /** prune() in the background: a failure leaves copies behind (logged), never fails the event. */
  pruneInBackground(tenantId: string, editId: string): void {
    this.prune(tenantId as TenantId, editId).catch((error: unknown) =>
      this.logger.warn({ err: error, editId, tenantId }, 'lossless frame copies not deleted'),
    );
  }
}
