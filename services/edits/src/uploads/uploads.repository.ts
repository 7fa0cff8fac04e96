import type { TenantId } from '@f2f/database';
import type { PrismaClient, Tx, Upload } from '../database';
import { PRISMA } from '@f2f/platform';
import { Inject, Injectable } from '@nestjs/common';

import { isUuid } from '../persistence/edits.repository';
import { lockTenant } from '../persistence/tenant-lock.repository';

export type UploadPurpose = 'source' | 'ground-truth';

export interface StoredUpload {
  blobKey: string;
  bytes: number;
  sha256: string;
  width: number;
  height: number;
}

/** The uploads of the edits service; every method takes the tenant first. */
@Injectable()
export class UploadsRepository {
  constructor(@Inject(PRISMA) private readonly prisma: PrismaClient) {}

  /**
   * Records an upload unless the tenant already has `max` open ones (pending or uploaded, unused and
   * unexpired at `now`), counted under a lock of the tenant's row so that concurrent creates cannot
   * pass the cap: the new row, or how many are open when refused (null: no such tenant).
   */
  createUnderCap(
    tenantId: TenantId,
    upload: { id: string; purpose: UploadPurpose; contentType: string; maxBytes: number; expiresAt: Date },
    max: number,
    now: Date,
  ): Promise<{ created: Upload } | { open: number } | null> {
    return this.prisma.$transaction(async (tx: Tx) => {
      if (!(await lockTenant(tx, tenantId))) return null;
      const open = await tx.upload.count({
        where: { tenantId, status: { in: ['pending', 'uploaded'] }, expiresAt: { gt: now } },
      });
      if (open >= max) return { open };
      return { created: await tx.upload.create({ data: { tenantId, ...upload } }) };
    });
  }

  /** The tenant's upload with this id; null for another tenant's, an unknown one or a malformed id. */
  find(tenantId: TenantId, id: string, tx: Tx | PrismaClient = this.prisma): Promise<Upload | null> {
    if (!isUuid(id)) return Promise.resolve(null);
    return tx.upload.findFirst({ where: { tenantId, id } });
  }

  /**
   * pending → uploaded with what was stored, when the upload is still pending and unexpired; false
   * when another request took it first (an upload URL takes one body) or it expired meanwhile.
   */
  async markUploaded(tenantId: TenantId, id: string, stored: StoredUpload, now: Date): Promise<boolean> {
    const { count } = await this.prisma.upload.updateMany({
      where: { tenantId, id, status: 'pending', expiresAt: { gt: now } },
      data: { status: 'uploaded', uploadedAt: now, ...stored },
    });
    return count === 1;
  }

  /** uploaded → used by this edit, inside the edit's transaction; false when it is no longer usable. */
  async consume(tx: Tx, tenantId: TenantId, id: string, editId: string, now: Date): Promise<boolean> {
    const { count } = await tx.upload.updateMany({
      where: { tenantId, id, status: 'uploaded', expiresAt: { gt: now } },
      data: { status: 'used', usedAt: now, usedByEditId: editId },
    });
    return count === 1;
  }

  /**
   * Uploads no edit used that expired before `before` (pending or uploaded), oldest first, across
   * tenants: the sweeper's work list (each row keeps its own tenant).
   */
  expiredUnused(before: Date, limit: number): Promise<Upload[]> {
    return this.prisma.upload.findMany({
      where: { status: { in: ['pending', 'uploaded'] }, expiresAt: { lt: before } },
      orderBy: { expiresAt: 'asc' },
      take: limit,
    });
  }

  /** Deletes an expired, unused upload of the tenant (a no-op when an edit took it meanwhile). */
  async deleteExpired(tenantId: TenantId, id: string, now: Date): Promise<boolean> {
    const { count } = await this.prisma.upload.deleteMany({
      where: { tenantId, id, status: { in: ['pending', 'uploaded'] }, expiresAt: { lt: now } },
    });
    return count === 1;
  }
}
