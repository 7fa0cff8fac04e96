import { configParts } from '@f2f/common';
import { z } from 'zod';

/** A part of a chat message: text, or an image sent inline as a data: URL. */
export type VlmContent = { type: 'text'; text: string } | { type: 'image'; data: Buffer; mime: string };

export interface VlmMessage {
  role: 'system' | 'user' | 'assistant';
  content: VlmContent[];
}

export interface VlmRequest {
  /** What the call is for, recorded with it (temporal-caption, frame-selection, ...). */
  purpose: string;
  /** Version of the prompt template, recorded with the call. */
  promptVersion: string;
  messages: VlmMessage[];
  maxTokens?: number;
  temperature?: number;
}

export interface VlmUsage {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
}

export interface VlmResponse {
  text: string;
  /** The model that answered, as the endpoint reports it. */
  model: string;
  latencyMs: number;
  usage: VlmUsage;
  finishReason: string | null;
}

/** A vision-language model behind any OpenAI-compatible chat-completions endpoint. */
export interface VisionLanguageModel {
  readonly model: string;
  complete(request: VlmRequest): Promise<VlmResponse>;
}

export const VLM = Symbol('VisionLanguageModel');

export class VlmError extends Error {
  constructor(
    message: string,
    readonly kind: 'timeout' | 'unavailable' | 'refused' | 'bad-response',
  ) {
    super(message);
    this.name = 'VlmError';
  }
}

/** Configuration of a deployment's VLM; absent base URL means "no VLM configured". */
export const vlmConfigShape = {
  VLM_BASE_URL: z
    .url({ error: 'VLM_BASE_URL must be the http(s) URL of an OpenAI-compatible API (…/v1)' })
    .optional(),
  VLM_MODEL: z.string().min(1).default('gpt-4o'),
  VLM_API_KEY: z.string().optional(),
  VLM_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(60_000),
  VLM_MAX_RETRIES: z.coerce.number().int().min(0).max(10).default(2),
  LOG_LEVEL: configParts.logLevel,
};

export interface VlmConfig {
  baseUrl: string;
  model: string;
  apiKey?: string;
  timeoutMs: number;
  maxRetries: number;
}

export function vlmConfigFrom(env: {
  VLM_BASE_URL?: string;
  VLM_MODEL: string;
  VLM_API_KEY?: string;
  VLM_TIMEOUT_MS: number;
  VLM_MAX_RETRIES: number;
}): VlmConfig | undefined {
  if (!env.VLM_BASE_URL) return undefined;
  return {
    baseUrl: env.VLM_BASE_URL,
    model: env.VLM_MODEL,
    apiKey: env.VLM_API_KEY,
    timeoutMs: env.VLM_TIMEOUT_MS,
    maxRetries: env.VLM_MAX_RETRIES,
  };
}
