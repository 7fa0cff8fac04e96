import type { TenantId } from '@f2f/database';
import { ActingKeyId, CurrentTenant, RequireScopes } from '@f2f/platform';
import { Args, Mutation, Query, Resolver } from '@nestjs/graphql';

import type { ApiKeyRow } from './api-keys.repository';
import { ApiKeysService } from './api-keys.service';

const keyView = (row: ApiKeyRow) => ({
  id: row.id,
  name: row.name,
  prefix: row.prefix,
  scopes: row.scopes.map((s) => s.toUpperCase()),
  createdAt: row.createdAt.toISOString(),
  revokedAt: row.revokedAt?.toISOString() ?? null,
});

/** Who is calling: any key may ask (read scope). */
@Resolver('Viewer')
@RequireScopes('read')
export class ViewerResolver {
  constructor(private readonly apiKeys: ApiKeysService) {}

  @Query('viewer')
  async viewer(@CurrentTenant() tenantId: TenantId, @ActingKeyId() keyId: string) {
    const { tenantName, key } = await this.apiKeys.viewer(tenantId, keyId);
    return { tenantId, tenantName, apiKey: keyView(key) };
  }
}

/** The caller's tenant's API keys; every operation needs the admin scope. */
@Resolver('ApiKey')
@RequireScopes('admin')
export class TenancyResolver {
  constructor(private readonly apiKeys: ApiKeysService) {}

  @Query('apiKeys')
  async list(@CurrentTenant() tenantId: TenantId) {
    return (await this.apiKeys.list(tenantId)).map(keyView);
  }

  @Mutation('createApiKey')
  async create(
    @CurrentTenant() tenantId: TenantId,
    @ActingKeyId() keyId: string,
    @Args('name') name: string,
    @Args('scopes') scopes: string[],
  ) {
    const { row, key } = await this.apiKeys.create(
      tenantId,
      name,
      scopes.map((s) => s.toLowerCase()),
      keyId,
    );
    return { apiKey: keyView(row), key };
  }

  @Mutation('revokeApiKey')
  async revoke(@CurrentTenant() tenantId: TenantId, @Args('id') id: string) {
    return keyView(await this.apiKeys.revoke(tenantId, id));
  }
}
