import type { TenantId } from '@f2f/database';
import type { VisionLanguageModel, VlmRequest, VlmResponse } from '@f2f/vlm';

import type {
  SelectionRecord,
  SelectionsRepository,
  StoredSelection,
  VlmCallRow,
} from '../persistence/selections.repository';

export class InMemorySelections implements SelectionsRepository {
  readonly selections = new Map<string, StoredSelection>();
  readonly calls: VlmCallRow[] = [];

  async save(_tx: unknown, selection: SelectionRecord, calls: VlmCallRow[]): Promise<void> {
    if (this.selections.has(selection.editId)) throw new Error(`duplicate selection of ${selection.editId}`);
    this.selections.set(selection.editId, { ...selection, createdAt: new Date() });
    this.calls.push(...calls);
  }

  async forEdit(tenantId: TenantId, editId: string): Promise<StoredSelection | null> {
    const row = this.selections.get(editId);
    return row?.tenantId === tenantId ? row : null;
  }
}

/** A VLM double that answers from a script of texts, with the usage given. */
export class ScriptedVlm implements VisionLanguageModel {
  readonly requests: VlmRequest[] = [];
  constructor(
    readonly model: string,
    private readonly replies: {
      text: string;
      latencyMs: number;
      promptTokens: number;
      completionTokens: number;
    }[],
  ) {}

  async complete(request: VlmRequest): Promise<VlmResponse> {
    this.requests.push(request);
    const reply = this.replies.shift();
    if (!reply) throw new Error('no reply scripted');
    return {
      text: reply.text,
      model: this.model,
      latencyMs: reply.latencyMs,
      finishReason: 'stop',
      usage: {
        promptTokens: reply.promptTokens,
        completionTokens: reply.completionTokens,
        totalTokens: reply.promptTokens + reply.completionTokens,
      },
    };
  }
}
