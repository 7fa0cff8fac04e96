import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError } from 'openai';

import { ConfigError } from '@f2f/common';
import { metrics, SpanKind, withSpan } from '@f2f/telemetry';

import {
  type TenantVlmOverride,
  type VisionLanguageModel,
  type VlmConfig,
  vlmConfigFrom,
  VlmConfigError,
  VlmDirectory,
  VlmError,
  type VlmRequest,
  type VlmResponse,
} from './vlm';

/**
 * The deployment's VLM (VLM_*) and the tenants' overrides (VLM_TENANT_OVERRIDES), all on the
 * OpenAI-compatible adapter. A bad override stops the service at start-up (ConfigError, exit 78).
 */
export function vlmDirectoryFrom(
  service: string,
  config: Parameters<typeof vlmConfigFrom>[0] & { VLM_TENANT_OVERRIDES: Record<string, TenantVlmOverride> },
  env: Record<string, string | undefined> = process.env,
): VlmDirectory {
  const deployment = vlmConfigFrom(config);
  try {
    return new VlmDirectory(
      deployment ? new OpenAiCompatibleVlm(deployment) : null,
      config.VLM_TENANT_OVERRIDES,
      {
        baseUrl: config.VLM_BASE_URL,
        model: config.VLM_MODEL,
        apiKey: config.VLM_API_KEY,
        timeoutMs: config.VLM_TIMEOUT_MS,
        maxRetries: config.VLM_MAX_RETRIES,
      },
      (c) => new OpenAiCompatibleVlm(c),
      env,
    );
  } catch (error) {
    if (error instanceof VlmConfigError) throw new ConfigError(service, [error.message]);
    throw error;
  }
}

/**
 * Any OpenAI-compatible chat-completions endpoint with image input: GPT-4o, or an open VLM served
 * by vLLM. Timeouts and retries (with backoff, on 408/409/429/5xx and connection errors) are the
 * SDK's; what still fails surfaces as a VlmError saying what kind of failure it was.
 */
export class OpenAiCompatibleVlm implements VisionLanguageModel {
  private readonly client: OpenAI;

  constructor(private readonly config: VlmConfig) {
    this.client = new OpenAI({
      baseURL: config.baseUrl,
      apiKey: config.apiKey ?? 'not-needed',
      timeout: config.timeoutMs,
      maxRetries: config.maxRetries,
    });
  }

  get model(): string {
    return this.config.model;
  }

  /** One call: a CLIENT span of the edit's trace, and the f2f_vlm_* metrics (calls, tokens, latency). */
  async complete(request: VlmRequest): Promise<VlmResponse> {
    const { purpose } = request;
    const model = this.config.model;
    const started = performance.now();
    try {
      const response = await withSpan(
        `vlm ${purpose}`,
        {
          kind: SpanKind.CLIENT,
          attributes: { 'gen_ai.request.model': model, 'f2f.vlm.purpose': purpose },
        },
        async (span) => {
          const answer = await this.call(request);
          span.setAttribute('gen_ai.usage.input_tokens', answer.usage.promptTokens);
          span.setAttribute('gen_ai.usage.output_tokens', answer.usage.completionTokens);
          return answer;
        },
      );
      metrics.vlmCalls.inc({ purpose, model, outcome: 'ok' });
      metrics.vlmTokens.inc({ purpose, model, kind: 'prompt' }, response.usage.promptTokens);
      metrics.vlmTokens.inc({ purpose, model, kind: 'completion' }, response.usage.completionTokens);
      return response;
    } catch (error) {
      const kind = error instanceof VlmError ? error.kind : 'error';
      metrics.vlmCalls.inc({ purpose, model, outcome: kind });
      throw error;
    } finally {
      metrics.vlmDuration.observe({ purpose }, (performance.now() - started) / 1000);
    }
  }

  private async call(request: VlmRequest): Promise<VlmResponse> {
    const started = performance.now();
    let completion: OpenAI.Chat.Completions.ChatCompletion;
    try {
      completion = await this.client.chat.completions.create({
        model: this.config.model,
        max_tokens: request.maxTokens ?? 300,
        temperature: request.temperature ?? 0,
        messages: request.messages.map((m) =>
          m.role === 'assistant' || m.role === 'system'
            ? { role: m.role, content: m.content.map((c) => (c.type === 'text' ? c.text : '')).join('') }
            : {
                role: 'user' as const,
                content: m.content.map((c) =>
                  c.type === 'text'
                    ? { type: 'text' as const, text: c.text }
                    : {
                        type: 'image_url' as const,
                        image_url: { url: `data:${c.mime};base64,${c.data.toString('base64')}` },
                      },
                ),
              },
        ),
      });
    } catch (error) {
      const elapsed = performance.now() - started;
      // Some runtimes surface the SDK's own timeout abort as a plain connection error.
      if (
        error instanceof APIConnectionTimeoutError ||
        (error instanceof APIConnectionError && elapsed >= this.config.timeoutMs)
      ) {
        throw new VlmError(`VLM timed out after ${this.config.timeoutMs} ms`, 'timeout');
      }
      if (error instanceof APIError) {
        throw new VlmError(`VLM answered ${error.status ?? 'no status'}: ${error.message}`, 'unavailable');
      }
      throw new VlmError(`VLM call failed: ${(error as Error).message}`, 'unavailable');
    }
    const choice = completion.choices?.[0];
    const text = choice?.message?.content;
    if (choice?.message?.refusal) throw new VlmError(`VLM refused: ${choice.message.refusal}`, 'refused');
    if (typeof text !== 'string') throw new VlmError('VLM answer has no text', 'bad-response');
    return {
      text,
      model: completion.model ?? this.config.model,
      latencyMs: Math.round(performance.now() - started),
      usage: {
        promptTokens: completion.usage?.prompt_tokens ?? 0,
        completionTokens: completion.usage?.completion_tokens ?? 0,
        totalTokens: completion.usage?.total_tokens ?? 0,
      },
      finishReason: choice?.finish_reason ?? null,
    };
  }
}
