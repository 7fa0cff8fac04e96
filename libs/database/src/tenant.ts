declare const tenantBrand: unique symbol;

/**
 * A tenant id that came through authentication (or a validated event). Repository methods take it
 * as their first argument, so a query that forgets the tenant does not compile.
 */
export type TenantId = string & { readonly [tenantBrand]: true };

export function asTenantId(id: string): TenantId {
  if (!/^[a-zA-Z0-9_-]{1,100}$/.test(id)) throw new Error(`invalid tenant id: ${JSON.stringify(id)}`);
  return id as TenantId;
}
