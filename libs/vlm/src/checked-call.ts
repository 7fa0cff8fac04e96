import { toStorableText } from '@f2f/common';

import { type VisionLanguageModel, VlmError, type VlmRequest } from './vlm';

/** One call as it is recorded (vlm_calls): model, cost and outcome. */
export interface VlmCallRecord {
  model: string;
  latencyMs: number;
  promptTokens: number;
  completionTokens: number;
  outcome: 'ok' | 'invalid' | 'error';
  answer: string | null;
  error: string | null;
}

/**
 * A call as the service that made it stores it, in its own vlm_calls table (captioning's,
 * frame-selection's): the record with the edit, what it was for and the prompt's version.
 */
export interface VlmCallRow extends VlmCallRecord {
  tenantId: string;
  editId: string;
  purpose: string;
  promptVersion: string;
}

export type AnswerCheck<T> = { ok: true; value: T } | { ok: false; reason: string };

export type CheckedAnswer<T> = { ok: true; value: T; model: string } | { ok: false; problem: string };

/**
 * Asks the VLM and checks its answer. An answer that fails the check, or a refusal, is asked again
 * (up to `attempts` calls); a timeout or an outage ends it at once (the adapter has retried those).
 * Every call is appended to `calls`. Never throws a VlmError: the caller decides the fallback.
 */
export async function askChecked<T>(
  vlm: VisionLanguageModel,
  request: VlmRequest,
  check: (text: string) => AnswerCheck<T>,
  calls: VlmCallRecord[],
  attempts = 2,
): Promise<CheckedAnswer<T>> {
  let problem = 'no answer';
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      const answer = await vlm.complete(request);
      const checked = check(answer.text);
      calls.push({
        model: answer.model,
        latencyMs: answer.latencyMs,
        promptTokens: answer.usage.promptTokens,
        completionTokens: answer.usage.completionTokens,
        outcome: checked.ok ? 'ok' : 'invalid',
        answer: toStorableText(answer.text.slice(0, 2000)),
        error: checked.ok ? null : toStorableText(checked.reason),
      });
      if (checked.ok) return { ok: true, value: checked.value, model: answer.model };
      problem = `invalid answer (${checked.reason})`;
    } catch (error) {
      if (!(error instanceof VlmError)) throw error;
      calls.push({
        model: vlm.model,
        latencyMs: 0,
        promptTokens: 0,
        completionTokens: 0,
        outcome: 'error',
        answer: null,
        error: toStorableText(error.message.slice(0, 2000)),
      });
      problem = `${error.kind}: ${error.message}`;
      if (error.kind !== 'refused') break;
    }
  }
  return { ok: false, problem };
}
