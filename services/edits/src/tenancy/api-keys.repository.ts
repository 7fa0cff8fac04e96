import type { PrismaClient, TenantId, Tx } from '@f2f/database';
import type { Scope } from '@f2f/platform';

export interface ApiKeyRow {
  id: string;
  tenantId: string;
  name: string;
  prefix: string;
  hash: string;
  scopes: string[];
  createdByKeyId: string | null;
  createdAt: Date;
  revokedAt: Date | null;
}

/** Data access for tenants and API keys; every read of a tenant's keys takes the tenant first. */
export class ApiKeysRepository {
  constructor(private readonly prisma: PrismaClient) {}

  async ensureTenant(tenantId: TenantId, name: string): Promise<void> {
    await this.prisma.tenant.upsert({ where: { id: tenantId }, create: { id: tenantId, name }, update: {} });
  }

  tenantExists(tenantId: TenantId): Promise<boolean> {
    return this.prisma.tenant.count({ where: { id: tenantId } }).then((n) => n > 0);
  }

  create(
    tenantId: TenantId,
    key: {
      id: string;
      name: string;
      prefix: string;
      hash: string;
      scopes: Scope[];
      createdByKeyId: string | null;
    },
  ): Promise<ApiKeyRow> {
    return this.prisma.apiKey.create({ data: { tenantId, ...key } });
  }

  list(tenantId: TenantId): Promise<ApiKeyRow[]> {
    return this.prisma.apiKey.findMany({ where: { tenantId }, orderBy: { createdAt: 'desc' } });
  }

  find(tenantId: TenantId, id: string): Promise<ApiKeyRow | null> {
    return this.prisma.apiKey.findFirst({ where: { tenantId, id } });
  }

  /** Marks a key revoked (keeping the first revocation time); null when the tenant has no such key. */
  async revoke(tenantId: TenantId, id: string, at: Date): Promise<ApiKeyRow | null> {
    return this.prisma.$transaction(async (tx: Tx) => {
      await tx.apiKey.updateMany({ where: { tenantId, id, revokedAt: null }, data: { revokedAt: at } });
      return tx.apiKey.findFirst({ where: { tenantId, id } });
    });
  }

  /** The key with this public prefix, whatever its tenant: the lookup that authentication starts from. */
  findByPrefix(prefix: string): Promise<ApiKeyRow | null> {
    return this.prisma.apiKey.findUnique({ where: { prefix } });
  }
}
