import { apiKeyPrefix, hashApiKey, type Scope, signServiceToken } from '@f2f/platform';

/** Who a live API key acts for. */
export interface Principal {
  tenantId: string;
  keyId: string;
  scopes: Scope[];
}

/** The endpoint of the edits service that resolves keys, and what it is called with. */
export const RESOLVE_PATH = '/internal/api-keys/resolve';
export const RESOLVE_AUDIENCE = 'edits/resolve-api-key';
export const SERVICE_TOKEN_HEADER = 'x-f2f-service-token';

export class KeyServiceUnavailableError extends Error {}

export interface ApiKeyResolverOptions {
  /** The edits service's origin (the internal endpoint is beside its /graphql). */
  editsUrl: string;
  secret: string;
  /** How long an answer (a key's tenant, or that a key is unknown or revoked) is reused. */
  cacheTtlMs: number;
  /** Most answers kept at once; the oldest go first. */
  maxEntries?: number;
  timeoutMs?: number;
  fetchImpl?: typeof fetch;
  now?: () => number;
}

/**
 * Resolves API keys by asking the edits service, which owns tenants and keys (the gateway has no
 * database). It sends the key's prefix and SHA-256, never the key, signed as the gateway, and
 * keeps each answer for cacheTtlMs: a revoked key stops working within that time, and a client
 * sending many requests costs edits one lookup per key per cacheTtlMs.
 */
export class ApiKeyResolver {
  private readonly cache = new Map<string, { principal: Principal | null; until: number }>();
  private readonly inFlight = new Map<string, Promise<Principal | null>>();
  private readonly url: string;
  private readonly now: () => number;
  private readonly fetchImpl: typeof fetch;

  constructor(private readonly options: ApiKeyResolverOptions) {
    this.url = new URL(RESOLVE_PATH, options.editsUrl).toString();
    this.now = options.now ?? Date.now;
    this.fetchImpl = options.fetchImpl ?? fetch;
  }

  /** The principal of a live key; null for a malformed, unknown or revoked one. */
  async resolve(key: string): Promise<Principal | null> {
    const prefix = apiKeyPrefix(key);
    if (!prefix) return null;
    const hash = hashApiKey(key);
    const cached = this.cache.get(hash);
    if (cached && cached.until > this.now()) return cached.principal;
    let pending = this.inFlight.get(hash);
    if (!pending) {
      pending = this.lookUp(prefix, hash).finally(() => this.inFlight.delete(hash));
      this.inFlight.set(hash, pending);
    }
    const principal = await pending;
    this.remember(hash, principal);
    return principal;
  }

  private remember(hash: string, principal: Principal | null): void {
    this.cache.delete(hash);
    this.cache.set(hash, { principal, until: this.now() + this.options.cacheTtlMs });
    const max = this.options.maxEntries ?? 10_000;
    while (this.cache.size > max) this.cache.delete(this.cache.keys().next().value as string);
  }

  private async lookUp(prefix: string, hash: string): Promise<Principal | null> {
    let res: Response;
    try {
      res = await this.fetchImpl(this.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          [SERVICE_TOKEN_HEADER]: signServiceToken('gateway', RESOLVE_AUDIENCE, this.options.secret),
        },
        body: JSON.stringify({ prefix, hash }),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 5_000),
      });
    } catch (error) {
      throw new KeyServiceUnavailableError(`edits did not answer: ${(error as Error).message}`);
    }
    if (!res.ok) throw new KeyServiceUnavailableError(`edits answered HTTP ${res.status}`);
    const body = (await res.json()) as { key: Principal | null };
    return body.key ?? null;
  }
}
