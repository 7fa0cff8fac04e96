import { DomainError, ErrorCode } from '@f2f/common';
import { asTenantId, type TenantId } from '@f2f/database';
import { apiKeyPrefix, hashApiKey } from '@f2f/platform';

import type { ApiKeyRow, ApiKeysRepository } from '../api-keys.repository';
import { ApiKeysService } from '../api-keys.service';

/** The repository swapped for rows in memory (the Prisma one is exercised by the e2e tests). */
class InMemoryApiKeys implements Pick<ApiKeysRepository, keyof ApiKeysRepository> {
  tenants = new Map<string, string>();
  rows: ApiKeyRow[] = [];
  async ensureTenant(tenantId: TenantId, name: string) {
    if (!this.tenants.has(tenantId)) this.tenants.set(tenantId, name);
  }
  async tenantName(tenantId: TenantId) {
    return this.tenants.get(tenantId) ?? null;
  }
  async createUnderCap(
    tenantId: TenantId,
    key: Omit<ApiKeyRow, 'tenantId' | 'createdAt' | 'revokedAt'>,
    max: number,
  ) {
    if (!this.tenants.has(tenantId)) return null;
    const live = this.rows.filter((r) => r.tenantId === tenantId && !r.revokedAt).length;
    if (live >= max) return { live };
    const row = { ...key, tenantId, createdAt: new Date(), revokedAt: null };
    this.rows.push(row);
    return { created: row };
  }
  async list(tenantId: TenantId) {
    return this.rows.filter((r) => r.tenantId === tenantId);
  }
  async find(tenantId: TenantId, id: string) {
    return this.rows.find((r) => r.tenantId === tenantId && r.id === id) ?? null;
  }
  async revoke(tenantId: TenantId, id: string, at: Date) {
    const row = await this.find(tenantId, id);
    if (row && !row.revokedAt) row.revokedAt = at;
    return row;
  }
  async findByPrefix(prefix: string) {
    return this.rows.find((r) => r.prefix === prefix) ?? null;
  }
}

const acme = asTenantId('acme');
const other = asTenantId('other');

async function setUp() {
  const repo = new InMemoryApiKeys();
  const service = new ApiKeysService(
    repo as unknown as ApiKeysRepository,
    3,
    () => new Date('2030-01-01T00:00:00Z'),
  );
  await service.ensureTenant('acme', 'Acme');
  await service.ensureTenant('other', 'Other');
  return { repo, service };
}

const code = async (p: Promise<unknown>) =>
  p.then(
    () => 'resolved',
    (e: unknown) => (e instanceof DomainError ? e.code : String(e)),
  );

describe('ApiKeysService', () => {
  it('creates a key stored only as its hash, and authenticates it by prefix and hash', async () => {
    const { repo, service } = await setUp();
    const { row, key } = await service.create(acme, ' ci ', ['write', 'read', 'read'], null);
    expect(row).toMatchObject({ name: 'ci', scopes: ['read', 'write'], prefix: apiKeyPrefix(key) });
    expect(JSON.stringify(repo.rows)).not.toContain(key);
    expect(await service.authenticate(row.prefix, hashApiKey(key))).toEqual({
      tenantId: 'acme',
      keyId: row.id,
      scopes: ['read', 'write'],
    });
    expect(await service.authenticate(row.prefix, hashApiKey(`${key}x`))).toBeNull();
    expect(await service.authenticate('000000000000', hashApiKey(key))).toBeNull();
  });

  it('stops authenticating a revoked key; only its own tenant can revoke it', async () => {
    const { service } = await setUp();
    const { row, key } = await service.create(acme, 'ci', ['read'], null);
    expect(await code(service.revoke(other, row.id))).toBe(ErrorCode.NotFound);
    expect(await service.authenticate(row.prefix, hashApiKey(key))).not.toBeNull();
    const revoked = await service.revoke(acme, row.id);
    expect(revoked.revokedAt).toEqual(new Date('2030-01-01T00:00:00Z'));
    expect(await service.authenticate(row.prefix, hashApiKey(key))).toBeNull();
    expect(await code(service.revoke(acme, 'not-a-uuid'))).toBe(ErrorCode.NotFound);
    expect((await service.list(other)).length).toBe(0);
  });

  it('refuses keys without a valid scope or name, and for a tenant that does not exist', async () => {
    const { service } = await setUp();
    expect(await code(service.create(acme, 'x', [], null))).toBe(ErrorCode.InvalidInput);
    expect(await code(service.create(acme, 'x', ['root'], null))).toBe(ErrorCode.InvalidInput);
    expect(await code(service.create(acme, '  ', ['read'], null))).toBe(ErrorCode.InvalidInput);
    expect(await code(service.create(asTenantId('nobody'), 'x', ['read'], null))).toBe(ErrorCode.NotFound);
    expect(await code(service.ensureTenant('bad id!', 'x'))).toBe(ErrorCode.InvalidInput);
    // Names Postgres cannot store faithfully: a lone surrogate, a NUL.
    expect(await code(service.create(acme, 'ci \ud83d', ['read'], null))).toBe(ErrorCode.InvalidInput);
    expect(await code(service.create(acme, 'ci\u0000', ['read'], null))).toBe(ErrorCode.InvalidInput);
    expect(await code(service.ensureTenant('acme2', 'Acme \udc00'))).toBe(ErrorCode.InvalidInput);
  });
});

describe('ApiKeysService.viewer', () => {
  it("answers the tenant's name and the acting key, only within the key's own tenant", async () => {
    const { service } = await setUp();
    const { row } = await service.create(acme, 'web page', ['read'], null);
    const viewer = await service.viewer(acme, row.id);
    expect(viewer.tenantName).toBe('Acme');
    expect(viewer.key).toMatchObject({ id: row.id, name: 'web page', scopes: ['read'] });
    expect(await code(service.viewer(other, row.id))).toBe(ErrorCode.NotFound);
    expect(await code(service.viewer(acme, 'not-a-uuid'))).toBe(ErrorCode.NotFound);
  });
});

describe('ApiKeysService cap (MAX_API_KEYS_PER_TENANT)', () => {
  it('refuses a key past the cap of unrevoked keys, and accepts one again after a revocation', async () => {
    const { service } = await setUp();
    const rows = [];
    for (let i = 0; i < 3; i++) rows.push((await service.create(acme, `k${i}`, ['read'], null)).row);
    const refused = await service.create(acme, 'k3', ['read'], null).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(DomainError);
    expect(refused).toMatchObject({ code: ErrorCode.TooManyApiKeys, details: { limit: 3, live: 3 } });
    expect(await code(service.create(other, 'k0', ['read'], null))).toBe('resolved');
    await service.revoke(acme, rows[0].id);
    expect(await code(service.create(acme, 'k3', ['read'], null))).toBe('resolved');
  });
});
