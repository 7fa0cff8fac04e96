import type { TenantId } from '@f2f/database';
import type { Tx } from '../database';

/**
 * Locks the tenant's row for the rest of the transaction, so that a tenant's concurrent requests
 * that count and then add (API keys, uploads) run one after another; false when there is no such
 * tenant.
 */
export async function lockTenant(tx: Tx, tenantId: TenantId): Promise<boolean> {
  const locked = await tx.$queryRaw<{ id: string }[]>`
    SELECT id FROM tenants WHERE id = ${tenantId} FOR UPDATE`;
  return locked.length > 0;
}
