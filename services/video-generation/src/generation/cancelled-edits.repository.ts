import type { PrismaClient, Tx } from '../database';

/** A cancellation video-generation learned from edit.status. */
export interface Cancellation {
  editId: string;
  tenantId: string;
  cancelledAt: Date;
}

/** The edits this service learned are cancelled (its own state: it never reads the edits service's). */
export interface CancelledEditsRepository {
  /** Records a cancellation; recording one already known changes nothing. */
  record(tx: Tx, cancellation: Cancellation): Promise<void>;
  isCancelled(tenantId: string, editId: string): Promise<boolean>;
}
export const CANCELLED_EDITS = Symbol('CancelledEditsRepository');

export class PrismaCancelledEditsRepository implements CancelledEditsRepository {
  constructor(private readonly prisma: PrismaClient) {}

  async record(tx: Tx, { editId, tenantId, cancelledAt }: Cancellation): Promise<void> {
    await tx.cancelledEdit.createMany({ data: [{ editId, tenantId, cancelledAt }], skipDuplicates: true });
  }

  async isCancelled(tenantId: string, editId: string): Promise<boolean> {
    return (await this.prisma.cancelledEdit.count({ where: { editId, tenantId } })) > 0;
  }
}
