import type { TenantId } from '@f2f/database';
import type { VisionLanguageModel, VlmRequest, VlmResponse } from '@f2f/vlm';

import type {
  CaptionExampleRecord,
  CaptionExamplesRepository,
  NewCaptionExample,
} from '../persistence/caption-examples.repository';
import type {
  CaptionRecord,
  CaptionsRepository,
  CaptionView,
  VlmCallRow,
} from '../persistence/captions.repository';

export class InMemoryCaptions implements CaptionsRepository {
  readonly captions = new Map<string, CaptionRecord>();
  readonly calls: VlmCallRow[] = [];

  async save(_tx: unknown, caption: CaptionRecord, calls: VlmCallRow[]): Promise<void> {
    if (this.captions.has(caption.editId)) throw new Error(`duplicate caption of ${caption.editId}`);
    this.captions.set(caption.editId, caption);
    this.calls.push(...calls);
  }

  async forEdit(tenantId: TenantId, editId: string): Promise<CaptionView | null> {
    const row = this.captions.get(editId);
    if (!row || row.tenantId !== tenantId) return null;
    const { editId: _e, tenantId: _t, targetCaption: _c, ...view } = row;
    return view;
  }
}

export class InMemoryCaptionExamples implements CaptionExamplesRepository {
  readonly rows: CaptionExampleRecord[] = [];

  async list(tenantId: string): Promise<CaptionExampleRecord[]> {
    return this.rows.filter((r) => r.tenantId === tenantId);
  }

  async addCapped(example: NewCaptionExample, max: number) {
    const count = (await this.list(example.tenantId)).length;
    if (count >= max) return { count };
    const added = { ...example, createdAt: new Date() };
    this.rows.push(added);
    return { added };
  }

  async remove(tenantId: TenantId, id: string): Promise<boolean> {
    const at = this.rows.findIndex((r) => r.id === id && r.tenantId === tenantId);
    if (at < 0) return false;
    this.rows.splice(at, 1);
    return true;
  }
}

/** A VLM double that answers from a script (an Error is thrown as the call's failure). */
export class ScriptedVlm implements VisionLanguageModel {
  readonly requests: VlmRequest[] = [];
  constructor(
    readonly model: string,
    private readonly replies: (Partial<VlmResponse> | Error)[],
  ) {}

  async complete(request: VlmRequest): Promise<VlmResponse> {
    this.requests.push(request);
    const reply = this.replies.shift() ?? new Error('no reply scripted');
    if (reply instanceof Error) throw reply;
    return {
      text: '',
      model: this.model,
      latencyMs: 10,
      finishReason: 'stop',
      ...reply,
      usage: reply.usage ?? { promptTokens: 100, completionTokens: 10, totalTokens: 110 },
    };
  }
}
