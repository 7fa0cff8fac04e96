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

/** Injection token of the services' VlmDirectory (the deployment's VLM and tenants' overrides). */
export const VLM = Symbol('VlmDirectory');

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

const tenantIdPattern = /^[a-zA-Z0-9_-]{1,100}$/;

/** One tenant's override of the deployment's VLM; fields it leaves out keep the deployment's values. */
export const tenantVlmOverrideSchema = z.strictObject({
  /** True: the tenant uses no VLM (template captions, last-frame selection). */
  disabled: z.boolean().optional(),
  baseUrl: z.url().optional(),
  model: z.string().min(1).max(200).optional(),
  /** The name of the environment variable holding the tenant's API key (a secret, never in config). */
  apiKeyEnv: z
    .string()
    .regex(/^[A-Z_][A-Z0-9_]*$/, 'apiKeyEnv must name an environment variable')
    .optional(),
  timeoutMs: z.number().int().min(100).max(600_000).optional(),
  maxRetries: z.number().int().min(0).max(10).optional(),
});
export type TenantVlmOverride = z.infer<typeof tenantVlmOverrideSchema>;

/**
 * VLM_TENANT_OVERRIDES: a JSON object from tenant id to its override, e.g.
 * `{"acme":{"baseUrl":"http://vllm.acme:8000/v1","model":"Qwen2-VL-7B","apiKeyEnv":"ACME_VLM_KEY"}}`.
 */
export const vlmTenantOverridesShape = {
  VLM_TENANT_OVERRIDES: z
    .string()
    .default('{}')
    .transform((text, ctx) => {
      try {
        return JSON.parse(text) as unknown;
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: `not JSON: ${(error as Error).message}` });
        return z.NEVER;
      }
    })
    .pipe(
      z.record(
        z.string().regex(tenantIdPattern, 'tenant ids are 1-100 of a-z A-Z 0-9 _ -'),
        tenantVlmOverrideSchema,
      ),
    ),
};

/** Where each tenant's VLM calls go: the deployment's VLM, or the tenant's override. */
export class VlmDirectory {
  private readonly perTenant = new Map<string, VisionLanguageModel | null>();

  /**
   * @param make builds a client for a configuration (the OpenAI-compatible adapter in services).
   * @param env where apiKeyEnv names are looked up; a missing variable is a start-up error.
   */
  constructor(
    private readonly deployment: VisionLanguageModel | null,
    overrides: Record<string, TenantVlmOverride>,
    defaults: Omit<VlmConfig, 'baseUrl'> & { baseUrl?: string },
    make: (config: VlmConfig) => VisionLanguageModel,
    env: Record<string, string | undefined> = process.env,
  ) {
    for (const [tenantId, override] of Object.entries(overrides)) {
      if (override.disabled) {
        this.perTenant.set(tenantId, null);
        continue;
      }
      const baseUrl = override.baseUrl ?? defaults.baseUrl;
      if (!baseUrl) {
        throw new VlmConfigError(
          `VLM_TENANT_OVERRIDES.${tenantId}: no baseUrl, and the deployment has no VLM_BASE_URL to inherit`,
        );
      }
      let apiKey = override.baseUrl ? undefined : defaults.apiKey;
      if (override.apiKeyEnv) {
        apiKey = env[override.apiKeyEnv];
        if (!apiKey) {
          throw new VlmConfigError(
            `VLM_TENANT_OVERRIDES.${tenantId}.apiKeyEnv: the environment variable ${override.apiKeyEnv} is not set`,
          );
        }
      }
      this.perTenant.set(
        tenantId,
        make({
          baseUrl,
          model: override.model ?? defaults.model,
          apiKey,
          timeoutMs: override.timeoutMs ?? defaults.timeoutMs,
          maxRetries: override.maxRetries ?? defaults.maxRetries,
        }),
      );
    }
  }

  /** One VLM (or none) for every tenant. */
  static single(vlm: VisionLanguageModel | null): VlmDirectory {
    return new VlmDirectory(vlm, {}, { model: vlm?.model ?? 'none', timeoutMs: 0, maxRetries: 0 }, () => {
      throw new Error('unreachable: no overrides');
    });
  }

  /** The VLM for a tenant's calls; null when none is configured for it. */
  forTenant(tenantId: string): VisionLanguageModel | null {
    return this.perTenant.has(tenantId) ? (this.perTenant.get(tenantId) ?? null) : this.deployment;
  }

  /** The deployment's own VLM (tenants without an override use it); null when none is configured. */
  get deploymentVlm(): VisionLanguageModel | null {
    return this.deployment;
  }

  /** Tenants with an override (for start-up logs). */
  get overriddenTenants(): string[] {
    return [...this.perTenant.keys()];
  }
}

export class VlmConfigError extends Error {
  override name = 'VlmConfigError';
}
