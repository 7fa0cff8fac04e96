import type { Logger } from '@f2f/common';
import type { TenantId } from '@f2f/database';
import { BLOB_STORE, LOGGER } from '@f2f/platform';
import { blobKeys, type BlobStore } from '@f2f/storage';
import { Inject, Injectable } from '@nestjs/common';

import type { Frame } from '../database';
import { EDITS_REPOSITORY, type EditsRepository } from '../persistence/edits';

const FINAL_STATUSES: ReadonlySet<string> = new Set(['COMPLETED', 'FAILED', 'CANCELLED']);

type FramePlace = Pick<Frame, 'tenantId' | 'editId' | 'candidate' | 'index'>;

const losslessKeyOf = (f: FramePlace) => blobKeys.losslessFrame(f.tenantId, f.editId, f.candidate, f.index);

/**
 * The edited frames' lossless copies (PNG) that video-generation keeps beside frames stored lossy
 * (FRAME_FORMAT webp/avif): metrics and selection read them; once the edit is final, the selected
 * frame's copy stays as the edit's result (what the client and the eval download) and the others
 * are deleted, so that an edit keeps its frames at the lossy format's bytes. With FRAME_FORMAT png
 * there are no copies and the frame itself is lossless.
 */
@Injectable()
export class LosslessFrames {
  constructor(
    @Inject(EDITS_REPOSITORY) private readonly edits: EditsRepository,
    @Inject(BLOB_STORE) private readonly blobs: BlobStore,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** The key to serve as the frame's full-quality image: its lossless copy when one is kept. */
  async resultKey(frame: FramePlace & Pick<Frame, 'blobKey'>): Promise<string> {
    const key = losslessKeyOf(frame);
    return (await this.blobs.exists(key)) ? key : frame.blobKey;
  }

  /**
   * Once the edit is final, deletes the lossless copies of every frame but the selected one (all of
   * them when no frame was selected). Deleting a copy that is not there is a no-op, so a repeat or a
   * PNG-format edit changes nothing. Returns how many frames' copies it deleted.
   */
  async prune(tenantId: TenantId, editId: string): Promise<number> {
    const edit = await this.edits.findEdit(tenantId, editId);
    if (!edit || !FINAL_STATUSES.has(edit.status)) return 0;
    const kept = (f: Frame) =>
      edit.status === 'COMPLETED' &&
      f.candidate === (edit.selectedCandidate ?? 0) &&
      f.index === edit.selectedFrameIndex;
    const doomed = (await this.edits.frames(tenantId, editId)).filter((f) => !kept(f));
    await Promise.all(doomed.map((f) => this.blobs.delete(losslessKeyOf(f))));
    return doomed.length;
  }

  /** prune() in the background: a failure leaves copies behind (logged), never fails the event. */
  pruneInBackground(tenantId: string, editId: string): void {
    this.prune(tenantId as TenantId, editId).catch((error: unknown) =>
      this.logger.warn({ err: error, editId, tenantId }, 'lossless frame copies not deleted'),
    );
  }
}
