import { TenantContextError, verifyServiceToken } from '@f2f/platform';
import {
  Body,
  Controller,
  Headers,
  HttpCode,
  Inject,
  Post,
  UnauthorizedException,
  BadRequestException,
} from '@nestjs/common';
import { z } from 'zod';

import type { AuthenticatedKey } from './api-keys.service';
import { ApiKeysService } from './api-keys.service';

/** The header the gateway's calls to this endpoint carry (a service token signed with TENANT_CONTEXT_SECRET). */
export const SERVICE_TOKEN_HEADER = 'x-f2f-service-token';
/** The audience of those tokens. */
export const RESOLVE_KEY_AUDIENCE = 'edits/resolve-api-key';
export const TENANT_CONTEXT_SECRET = Symbol('TenantContextSecret');

const request = z.object({
  prefix: z.string().regex(/^[0-9a-f]{12}$/),
  hash: z.string().regex(/^[0-9a-f]{64}$/),
});

/**
 * Resolves an API key for the gateway: the gateway sends the key's public prefix and its SHA-256
 * (never the key), signed as itself; the answer is the key's tenant and scopes, or null for a key
 * that is unknown or revoked. Not part of the GraphQL API; only the gateway can call it.
 */
@Controller('internal/api-keys')
export class InternalApiKeysController {
  constructor(
    private readonly apiKeys: ApiKeysService,
    @Inject(TENANT_CONTEXT_SECRET) private readonly secret: string,
  ) {}

  @Post('resolve')
  @HttpCode(200)
  async resolve(
    @Headers(SERVICE_TOKEN_HEADER) token: string | undefined,
    @Body() body: unknown,
  ): Promise<{ key: AuthenticatedKey | null }> {
    try {
      verifyServiceToken(token, RESOLVE_KEY_AUDIENCE, this.secret);
    } catch (error) {
      if (error instanceof TenantContextError)
        throw new UnauthorizedException(`service token ${error.reason}`);
      throw error;
    }
    const parsed = request.safeParse(body);
    if (!parsed.success) throw new BadRequestException('expected { prefix, hash }');
    return { key: await this.apiKeys.authenticate(parsed.data.prefix, parsed.data.hash) };
  }
}
