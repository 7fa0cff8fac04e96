import type { TenantId } from '@f2f/database';
import type { Edit, EditEvent, Frame, PrismaClient, Tx } from '../database';

import {
  countEditsSql,
  type EditCursor,
  type EditListFilter,
  feedAfterSql,
  type FeedRow,
  listEditsSql,
} from './edit-queries.sql';
import type { EditChanges, EditsRepository, NewEdit } from './edits';

/** The edits in Postgres; every method takes the tenant first, so no query forgets it. */
export class PrismaEditsRepository implements EditsRepository {
  constructor(private readonly prisma: PrismaClient) {}

  findEdit(tenantId: TenantId, id: string): Promise<Edit | null> {
    if (!isUuid(id)) return Promise.resolve(null);
    return this.prisma.edit.findFirst({ where: { id, tenantId } });
  }

  findByIdempotencyKey(tenantId: TenantId, idempotencyKey: string): Promise<Edit | null> {
    return this.prisma.edit.findUnique({ where: { tenantId_idempotencyKey: { tenantId, idempotencyKey } } });
  }

  async lockIdempotencyKey(tx: Tx, tenantId: TenantId, idempotencyKey: string): Promise<Edit | null> {
    // Concurrent repeats queue here (the lock is released at commit), so the later ones see the
    // first one's edit rather than failing on the unique index.
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`${tenantId}/${idempotencyKey}`}, 0))`;
    return tx.edit.findUnique({ where: { tenantId_idempotencyKey: { tenantId, idempotencyKey } } });
  }

  create(tx: Tx, edit: NewEdit): Promise<Edit> {
    return tx.edit.create({ data: edit });
  }

  update(tx: Tx, tenantId: TenantId, id: string, changes: EditChanges): Promise<Edit> {
    return tx.edit.update({ where: { id, tenantId }, data: changes });
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

  /** Locks the edit's row for the rest of the transaction and returns it. */
  async lockEdit(tx: Tx, tenantId: TenantId, id: string): Promise<Edit | null> {
    if (!isUuid(id)) return null;
    const locked = await tx.$queryRaw<{ id: string }[]>`
      SELECT id FROM edits WHERE id = ${id}::uuid AND tenant_id = ${tenantId} FOR UPDATE`;
    if (locked.length === 0) return null;
    return tx.edit.findUnique({ where: { id } });
  }

  countUnfinished(tenantId: TenantId): Promise<number> {
    return unfinished(this.prisma, tenantId);
  }

  /**
   * Locks the tenant's row for the rest of the transaction (so that concurrent creates of one tenant
   * run one after another) and counts its unfinished edits; null when there is no such tenant.
   */
  async lockTenantAndCountUnfinished(tx: Tx, tenantId: TenantId): Promise<number | null> {
    const locked = await tx.$queryRaw<{ id: string }[]>`
      SELECT id FROM tenants WHERE id = ${tenantId} FOR UPDATE`;
    if (locked.length === 0) return null;
    return unfinished(tx, tenantId);
  }

  async withLosslessCopies(
    completedBefore: Date,
    limit: number,
  ): Promise<{ tenantId: TenantId; id: string }[]> {
    const rows = await this.prisma.edit.findMany({
      where: {
        losslessPrunedAt: null,
        completedAt: { not: null },
        OR: [{ status: { in: ['FAILED', 'CANCELLED'] } }, { completedAt: { lt: completedBefore } }],
      },
      orderBy: { completedAt: 'asc' },
      take: limit,
      select: { tenantId: true, id: true },
    });
    return rows.map((r) => ({ tenantId: r.tenantId as TenantId, id: r.id }));
  }

  async markLosslessPruned(tenantId: TenantId, id: string, at: Date): Promise<void> {
    await this.prisma.edit.updateMany({ where: { id, tenantId }, data: { losslessPrunedAt: at } });
  }
}

function unfinished(db: Tx | PrismaClient, tenantId: TenantId): Promise<number> {
  return db.edit.count({ where: { tenantId, status: { notIn: ['COMPLETED', 'FAILED', 'CANCELLED'] } } });
}

export function isUuid(id: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id);
}
