import type { TenantId } from '@f2f/database';
import type { PrismaClient, Tx } from '../database';
import type { Scope } from '@f2f/platform';

import { lockTenant } from '../persistence/tenant-lock.repository';

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

  /**
   * Creates a key unless the tenant already has `max` unrevoked ones, counted under a lock of the
   * tenant's row so that concurrent creates cannot pass the cap: the new row, or how many are live
   * when refused (null: no such tenant).
   */
  createUnderCap(
    tenantId: TenantId,
    key: {
      id: string;
      name: string;
      prefix: string;
      hash: string;
      scopes: Scope[];
      createdByKeyId: string | null;
    },
    max: number,
  ): Promise<{ created: ApiKeyRow } | { live: number } | null> {
    return this.prisma.$transaction(async (tx: Tx) => {
      if (!(await lockTenant(tx, tenantId))) return null;
      const live = await tx.apiKey.count({ where: { tenantId, revokedAt: null } });
      if (live >= max) return { live };
      return { created: await tx.apiKey.create({ data: { tenantId, ...key } }) };
    });
  }

  /** The tenant's name; null when there is no such tenant. */
  async tenantName(tenantId: TenantId): Promise<string | null> {
    const row = await this.prisma.tenant.findUnique({ where: { id: tenantId }, select: { name: true } });
    return row?.name ?? null;
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
