import type { TenantId } from '@f2f/database';
import type { Edit, EditEvent, Frame, PrismaClient, Tx } from '../database';
import { PRISMA } from '@f2f/platform';
import { Inject, Injectable } from '@nestjs/common';

import {
  countEditsSql,
  type EditCursor,
  type EditListFilter,
  feedAfterSql,
  type FeedRow,
  listEditsSql,
} from './edit-queries.sql';

/** Reads of the edits service; every method takes the tenant first, so no query forgets it. */
@Injectable()
export class EditsRepository {
  constructor(@Inject(PRISMA) private readonly prisma: PrismaClient) {}

  findEdit(tenantId: TenantId, id: string): Promise<Edit | null> {
    if (!isUuid(id)) return Promise.resolve(null);
    return this.prisma.edit.findFirst({ where: { id, tenantId } });
  }

  findByIdempotencyKey(tenantId: TenantId, idempotencyKey: string): Promise<Edit | null> {
    return this.prisma.edit.findUnique({ where: { tenantId_idempotencyKey: { tenantId, idempotencyKey } } });
  }

  /** Up to `limit` edits after the cursor, newest first (createdAt, then id). */
  async listEdits(
    tenantId: TenantId,
    filter: EditListFilter,
    after: EditCursor | null,
    limit: number,
  ): Promise<Edit[]> {
    const page = await this.prisma.$queryRaw<{ id: string }[]>(listEditsSql(tenantId, filter, after, limit));
    if (page.length === 0) return [];
    const rows = await this.prisma.edit.findMany({ where: { tenantId, id: { in: page.map((r) => r.id) } } });
    const byId = new Map(rows.map((r) => [r.id, r]));
    return page.map((r) => byId.get(r.id)).filter((e): e is Edit => e !== undefined);
  }

  async countEdits(tenantId: TenantId, filter: EditListFilter): Promise<number> {
    const [row] = await this.prisma.$queryRaw<{ n: number }[]>(countEditsSql(tenantId, filter));
    return row.n;
  }

  frames(tenantId: TenantId, editId: string, candidate?: number): Promise<Frame[]> {
    return this.prisma.frame.findMany({
      where: { tenantId, editId, candidate },
      orderBy: [{ candidate: 'asc' }, { index: 'asc' }],
    });
  }

  frame(tenantId: TenantId, id: string): Promise<Frame | null> {
    if (!isUuid(id)) return Promise.resolve(null);
    return this.prisma.frame.findFirst({ where: { tenantId, id } });
  }

  frameAt(tenantId: TenantId, editId: string, candidate: number, index: number): Promise<Frame | null> {
    return this.prisma.frame.findFirst({ where: { tenantId, editId, candidate, index } });
  }

  /** A frame of this edit (any candidate), by id. */
  frameOfEdit(tx: Tx, tenantId: TenantId, editId: string, frameId: string): Promise<Frame | null> {
    if (!isUuid(frameId)) return Promise.resolve(null);
    return tx.frame.findFirst({ where: { tenantId, editId, id: frameId } });
  }

  history(tenantId: TenantId, editId: string): Promise<EditEvent[]> {
    return this.prisma.editEvent.findMany({
      where: { tenantId, editId },
      orderBy: [{ occurredAt: 'asc' }, { seq: 'asc' }],
    });
  }

  /**
   * The tenant's history entries after a feed position, in the order they were recorded
   * (recorded_at, id): index (tenant_id, recorded_at, id).
   */
  feedAfter(tenantId: TenantId, after: { recordedAt: Date; id: bigint }, limit: number): Promise<FeedRow[]> {
    return this.prisma.$queryRaw<FeedRow[]>(feedAfterSql(tenantId, after, limit));
  }

  /** The whole histories of some of the tenant's edits, each in sequence order. */
  histories(tenantId: TenantId, editIds: string[]): Promise<EditEvent[]> {
    return this.prisma.editEvent.findMany({
      where: { tenantId, editId: { in: editIds.filter(isUuid) } },
      orderBy: [{ editId: 'asc' }, { seq: 'asc' }],
    });
  }

  /** The keys of the edit's history entries that start with `scope` (index tenant, edit, key). */
  async historyKeys(tx: Tx, tenantId: TenantId, editId: string, scope: string): Promise<string[]> {
    const rows = await tx.editEvent.findMany({
      where: { tenantId, editId, key: { startsWith: scope } },
      select: { key: true },
    });
    return rows.map((r) => r.key);
  }

  /** Locks the edit's row for the rest of the transaction and returns it. */
  async lockEdit(tx: Tx, tenantId: TenantId, id: string): Promise<Edit | null> {
    if (!isUuid(id)) return null;
    const locked = await tx.$queryRaw<{ id: string }[]>`
      SELECT id FROM edits WHERE id = ${id}::uuid AND tenant_id = ${tenantId} FOR UPDATE`;
    if (locked.length === 0) return null;
    return tx.edit.findUnique({ where: { id } });
  }

  /** The tenant's unfinished edits (not completed, failed or cancelled). */
  countUnfinished(db: Tx | PrismaClient, tenantId: TenantId): Promise<number> {
    return db.edit.count({ where: { tenantId, status: { notIn: ['COMPLETED', 'FAILED', 'CANCELLED'] } } });
  }

  /**
   * Locks the tenant's row for the rest of the transaction (so that concurrent creates of one tenant
   * run one after another) and counts its unfinished edits; null when there is no such tenant.
   */
  async lockTenantAndCountUnfinished(tx: Tx, tenantId: TenantId): Promise<number | null> {
    const locked = await tx.$queryRaw<{ id: string }[]>`
      SELECT id FROM tenants WHERE id = ${tenantId} FOR UPDATE`;
    if (locked.length === 0) return null;
    return this.countUnfinished(tx, tenantId);
  }
}

export function isUuid(id: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id);
}
