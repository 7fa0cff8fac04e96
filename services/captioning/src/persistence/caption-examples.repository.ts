import type { TenantId } from '@f2f/database';
import type { PrismaClient } from '../database';

export interface CaptionExampleRecord {
  id: string;
  tenantId: string;
  targetCaption: string;
  temporalCaption: string;
  imageKey: string | null;
  imageMime: string | null;
  createdAt: Date;
}

export type NewCaptionExample = Omit<CaptionExampleRecord, 'createdAt'>;

export interface CaptionExamplesRepository {
  /** A tenant's examples, oldest first. */
  list(tenantId: string): Promise<CaptionExampleRecord[]>;
  /**
   * Adds an example unless the tenant has `max` already (then null); concurrent additions of one
   * tenant are serialised so the limit holds.
   */
  addCapped(
    example: NewCaptionExample,
    max: number,
  ): Promise<{ added: CaptionExampleRecord } | { count: number }>;
  /** Whether an example of the tenant was removed. */
  remove(tenantId: TenantId, id: string): Promise<boolean>;
}
export const CAPTION_EXAMPLES = Symbol('CaptionExamplesRepository');

export class PrismaCaptionExamplesRepository implements CaptionExamplesRepository {
  constructor(private readonly prisma: PrismaClient) {}

  list(tenantId: string): Promise<CaptionExampleRecord[]> {
    return this.prisma.captionExample.findMany({
      where: { tenantId },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    });
  }

  addCapped(
    example: NewCaptionExample,
    max: number,
  ): Promise<{ added: CaptionExampleRecord } | { count: number }> {
    return this.prisma.$transaction(async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`caption-examples:${example.tenantId}`}))`;
      const count = await tx.captionExample.count({ where: { tenantId: example.tenantId } });
      if (count >= max) return { count };
      return { added: await tx.captionExample.create({ data: example }) };
    });
  }

  async remove(tenantId: TenantId, id: string): Promise<boolean> {
    const { count } = await this.prisma.captionExample.deleteMany({ where: { id, tenantId } });
    return count > 0;
  }
}
