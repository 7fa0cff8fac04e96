import type { TenantId } from '@f2f/database';
import type { VlmCallRow } from '@f2f/vlm';
import type { PrismaClient, Tx } from '../database';

/** An edit's temporal caption as captioning decided it. */
export interface CaptionRecord {
  editId: string;
  tenantId: string;
  targetCaption: string;
  text: string;
  provenance: 'template' | 'vlm' | 'target';
  vlmModel: string | null;
  /** project or paper-figures (built-in sets, paper-b1-v1 for the latter) or tenant; null without a VLM call. */
  exampleSet: string | null;
  promptVersion: string | null;
  attempts: number;
  fallbackReason: string | null;
}

/** What Edit.caption shows. */
export type CaptionView = Pick<
  CaptionRecord,
  'text' | 'provenance' | 'vlmModel' | 'promptVersion' | 'exampleSet' | 'attempts' | 'fallbackReason'
>;

/** One VLM call made for an edit (this service's own vlm_calls rows). */
export type { VlmCallRow };

export interface CaptionsRepository {
  /** The caption with the VLM calls it took, in the caller's transaction. */
  save(tx: Tx, caption: CaptionRecord, calls: VlmCallRow[]): Promise<void>;
  /** The caption of an edit of `tenantId`; another tenant's edit has none. */
  forEdit(tenantId: TenantId, editId: string): Promise<CaptionView | null>;
}
export const CAPTIONS = Symbol('CaptionsRepository');

export class PrismaCaptionsRepository implements CaptionsRepository {
  constructor(private readonly prisma: PrismaClient) {}

  async save(tx: Tx, caption: CaptionRecord, calls: VlmCallRow[]): Promise<void> {
    if (calls.length > 0) await tx.vlmCall.createMany({ data: calls });
    await tx.caption.create({ data: caption });
  }

  async forEdit(tenantId: TenantId, editId: string): Promise<CaptionView | null> {
    const row = await this.prisma.caption.findFirst({
      where: { editId, tenantId },
      select: {
        text: true,
        provenance: true,
        vlmModel: true,
        promptVersion: true,
        exampleSet: true,
        attempts: true,
        fallbackReason: true,
      },
    });
    return row as CaptionView | null;
  }
}
