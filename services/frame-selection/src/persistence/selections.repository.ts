import type { TenantId } from '@f2f/database';
import type { VlmCallRow } from '@f2f/vlm';
import type { PrismaClient, Tx } from '../database';

/** A selection decision as frame-selection recorded it. */
export interface SelectionRecord {
  editId: string;
  tenantId: string;
  candidate: number | null;
  frameIndex: number | null;
  frameId: string | null;
  policy: string;
  reason: string;
  collageKeys: string[];
  vlmModel: string | null;
  promptVersion: string | null;
  rawAnswers: string[];
  fallbackReason: string | null;
}

export interface StoredSelection extends SelectionRecord {
  createdAt: Date;
}

/** One VLM call made for an edit (this service's own vlm_calls rows). */
export type { VlmCallRow };

export interface SelectionsRepository {
  /** The decision with the VLM calls it took, in the caller's transaction. */
  save(tx: Tx, selection: SelectionRecord, calls: VlmCallRow[]): Promise<void>;
  /** The decision for an edit of `tenantId`; another tenant's edit has none. */
  forEdit(tenantId: TenantId, editId: string): Promise<StoredSelection | null>;
}
export const SELECTIONS = Symbol('SelectionsRepository');

const strings = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];

export class PrismaSelectionsRepository implements SelectionsRepository {
  constructor(private readonly prisma: PrismaClient) {}

  async save(tx: Tx, selection: SelectionRecord, calls: VlmCallRow[]): Promise<void> {
    if (calls.length > 0) await tx.vlmCall.createMany({ data: calls });
    await tx.selection.create({ data: selection });
  }

  async forEdit(tenantId: TenantId, editId: string): Promise<StoredSelection | null> {
    const row = await this.prisma.selection.findFirst({ where: { editId, tenantId } });
    if (!row) return null;
    return { ...row, collageKeys: strings(row.collageKeys), rawAnswers: strings(row.rawAnswers) };
  }
}
