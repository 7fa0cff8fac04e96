import type { Clock, Logger } from '@f2f/common';
import { asTenantId } from '@f2f/database';
import { BLOB_STORE, CLOCK, LOGGER } from '@f2f/platform';
import type { BlobStore } from '@f2f/storage';
import { Inject, Injectable } from '@nestjs/common';

import { UploadsRepository } from '../uploads.repository';

/**
 * Removes uploads that expired unused, and their images: a client that asked for an upload URL and
 * never made an edit with it leaves nothing behind. Used uploads stay (they record which upload made
 * which edit; their images were removed when the edit copied them). Safe on several replicas: every
 * step is idempotent.
 */
@Injectable()
export class SweepUploadsUseCase {
  constructor(
    private readonly uploads: UploadsRepository,
    @Inject(BLOB_STORE) private readonly blobs: BlobStore,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** Sweeps up to `batch` expired uploads; returns how many were removed. */
  async execute(batch = 500): Promise<number> {
    const now = this.clock.now();
    const expired = await this.uploads.expiredUnused(now, batch);
    let removed = 0;
    for (const upload of expired) {
      // The row first: once it is gone no edit can take the upload, so its image can go.
      if (!(await this.uploads.deleteExpired(asTenantId(upload.tenantId), upload.id, now))) continue;
      if (upload.blobKey) await this.blobs.delete(upload.blobKey).catch(() => undefined);
      removed++;
    }
    if (removed > 0) this.logger.info({ removed }, 'removed expired uploads');
    return removed;
  }
}
