import { randomUUID } from 'node:crypto';

import { assertStorableText, DomainError, ErrorCode } from '@f2f/common';
import { asTenantId, type TenantId } from '@f2f/database';
import { generateApiKey, SCOPES, sameApiKeyHash, type Scope } from '@f2f/platform';

import type { ApiKeyRow, ApiKeysRepository } from './api-keys.repository';

export interface AuthenticatedKey {
  tenantId: string;
  keyId: string;
  scopes: Scope[];
}

const MAX_NAME = 100;

/** The rules for tenants and their API keys (used by the GraphQL resolver, the internal endpoint and the CLI). */
export class ApiKeysService {
  constructor(
    private readonly keys: ApiKeysRepository,
    /** MAX_API_KEYS_PER_TENANT: unrevoked keys a tenant may have. */
    private readonly maxKeysPerTenant: number,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /** Creates a tenant when it does not exist yet (an operator's bootstrap). */
  async ensureTenant(tenantId: string, name: string): Promise<TenantId> {
    let id: TenantId;
    try {
      id = asTenantId(tenantId);
    } catch {
      throw new DomainError(ErrorCode.InvalidInput, 'a tenant id is 1..100 letters, digits, _ or -');
    }
    await this.keys.ensureTenant(id, assertStorableText(name, "a tenant's name").trim() || id);
    return id;
  }

  /** Creates a key; the answer holds the key itself, which is stored nowhere. */
  async create(
    tenantId: TenantId,
    name: string,
    scopes: readonly string[],
    createdByKeyId: string | null,
  ): Promise<{ row: ApiKeyRow; key: string }> {
    const trimmed = assertStorableText(name, "a key's name").trim();
    if (trimmed.length < 1 || trimmed.length > MAX_NAME)
      throw new DomainError(ErrorCode.InvalidInput, `a key's name is 1..${MAX_NAME} characters`);
    const unique = [...new Set(scopes)];
    if (unique.length === 0 || !unique.every((s): s is Scope => (SCOPES as readonly string[]).includes(s)))
      throw new DomainError(ErrorCode.InvalidInput, `a key needs at least one scope of ${SCOPES.join(', ')}`);
    const generated = generateApiKey();
    const max = this.maxKeysPerTenant;
    const result = await this.keys.createUnderCap(
      tenantId,
      {
        id: randomUUID(),
        name: trimmed,
        prefix: generated.prefix,
        hash: generated.hash,
        scopes: SCOPES.filter((s) => unique.includes(s)),
        createdByKeyId,
      },
      max,
    );
    if (!result) throw new DomainError(ErrorCode.NotFound, `there is no tenant ${tenantId}`);
    if ('live' in result) {
      throw new DomainError(
        ErrorCode.TooManyApiKeys,
        `the tenant has ${result.live} unrevoked API keys, as many as allowed (${max}); revoke one first`,
        { limit: max, live: result.live },
      );
    }
    return { row: result.created, key: generated.key };
  }

  list(tenantId: TenantId): Promise<ApiKeyRow[]> {
    return this.keys.list(tenantId);
  }

  /** The caller: its tenant's name and the key it acts with (a web page shows whose edits these are). */
  async viewer(tenantId: TenantId, keyId: string): Promise<{ tenantName: string; key: ApiKeyRow }> {
    const [tenantName, key] = await Promise.all([
      this.keys.tenantName(tenantId),
      isUuid(keyId) ? this.keys.find(tenantId, keyId) : null,
    ]);
    if (tenantName === null || !key) throw new DomainError(ErrorCode.NotFound, 'no such tenant or API key');
    return { tenantName, key };
  }

  async revoke(tenantId: TenantId, id: string): Promise<ApiKeyRow> {
    const row = isUuid(id) ? await this.keys.revoke(tenantId, id, this.clock()) : null;
    if (!row) throw new DomainError(ErrorCode.NotFound, 'no API key with this id');
    return row;
  }

  /** The tenant and scopes of a live key with this prefix and hash; null for an unknown or revoked one. */
  async authenticate(prefix: string, hash: string): Promise<AuthenticatedKey | null> {
    const row = await this.keys.findByPrefix(prefix);
    // Compare even when there is no row, so that timing tells nothing about which prefixes exist.
    const matches = sameApiKeyHash(row?.hash ?? '0'.repeat(64), hash);
    if (!row || !matches || row.revokedAt !== null) return null;
    return { tenantId: row.tenantId, keyId: row.id, scopes: row.scopes as Scope[] };
  }
}

function isUuid(id: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id);
}
