import { HeaderMap } from '@apollo/server';
import type { Scope } from '@f2f/platform';
import {
  GraphQLError,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type DocumentNode,
} from 'graphql';

import type { RateLimiter } from '../limits/rate-limiter';
import { type ApiKeyResolver, KeyServiceUnavailableError, type Principal } from './api-key-resolver';

export interface GatewayContext extends Principal {
  requestId: string;
  /** Aborts when the request runs past REQUEST_TIMEOUT_MS (HTTP requests; not subscriptions). */
  deadline?: AbortSignal;
}

type Headers = Record<string, string | string[] | undefined>;

/**
 * Root fields that manage the tenant: its API keys (services/edits tenancy.graphql) and its webhooks
 * (services/webhooks webhooks.graphql). They need the admin scope.
 */
export const ADMIN_ROOT_FIELDS: ReadonlySet<string> = new Set([
  'apiKeys',
  'createApiKey',
  'revokeApiKey',
  'webhookEndpoints',
  'webhookEndpoint',
  'webhookDelivery',
  'webhookEventTypes',
  'createWebhookEndpoint',
  'updateWebhookEndpoint',
  'deleteWebhookEndpoint',
  'rotateWebhookSecret',
  'redeliverWebhook',
]);

const error = (
  message: string,
  code: string,
  status: number,
  extra: Record<string, unknown> = {},
  headers?: HeaderMap,
) =>
  new GraphQLError(message, {
    extensions: { code, ...extra, http: { status, ...(headers ? { headers } : {}) } },
  });

const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

/** The API key of a request: `Authorization: Bearer <key>` or `x-api-key: <key>`. */
export function apiKeyOf(headers: Headers): string | undefined {
  const authorization = first(headers.authorization)?.trim();
  if (authorization) {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization);
    return match?.[1];
  }
  return first(headers['x-api-key'])?.trim() || undefined;
}

/**
 * Authenticates a request and charges its tenant's rate limit: UNAUTHENTICATED (401) without a
 * live key, RATE_LIMITED (429, Retry-After) over the limit, SERVICE_UNAVAILABLE when the key
 * cannot be checked.
 */
export async function authenticate(
  headers: Headers,
  requestId: string,
  keys: ApiKeyResolver,
  limiter: RateLimiter,
): Promise<GatewayContext> {
  const key = apiKeyOf(headers);
  if (!key)
    throw error(
      'an API key is required: send `Authorization: Bearer <key>` or `x-api-key`',
      'UNAUTHENTICATED',
      401,
    );
  let principal: Principal | null;
  try {
    principal = await keys.resolve(key);
  } catch (e) {
    if (e instanceof KeyServiceUnavailableError)
      throw error('the API key cannot be checked now; try again', 'SERVICE_UNAVAILABLE', 503);
    throw e;
  }
  if (!principal) throw error('the API key is unknown or revoked', 'UNAUTHENTICATED', 401);
  const retryAfter = limiter.take(principal.tenantId);
  if (retryAfter > 0) {
    throw error(
      `too many requests for this tenant; retry after ${retryAfter} s`,
      'RATE_LIMITED',
      429,
      { retryAfterSeconds: retryAfter },
      new HeaderMap([['retry-after', String(retryAfter)]]),
    );
  }
  return { ...principal, requestId };
}

/** The scopes an operation needs: read for a query, write for a mutation, admin for keys and webhooks. */
export function requiredScopes(operation: OperationDefinitionNode, document: DocumentNode): Scope[] {
  const needed = new Set<Scope>();
  const fragments = new Map(
    document.definitions.flatMap((d) =>
      d.kind === Kind.FRAGMENT_DEFINITION ? [[d.name.value, d] as const] : [],
    ),
  );
  const visit = (set: SelectionSetNode, seen: Set<string>) => {
    for (const s of set.selections) {
      if (s.kind === Kind.FIELD) {
        if (ADMIN_ROOT_FIELDS.has(s.name.value)) needed.add('admin');
        else needed.add(operation.operation === 'mutation' ? 'write' : 'read');
      } else if (s.kind === Kind.INLINE_FRAGMENT) {
        visit(s.selectionSet, seen);
      } else if (!seen.has(s.name.value)) {
        const fragment = fragments.get(s.name.value);
        if (fragment) visit(fragment.selectionSet, new Set([...seen, s.name.value]));
      }
    }
  };
  visit(operation.selectionSet, new Set());
  return [...needed];
}

/** FORBIDDEN (403) when the caller's key lacks a scope the operation needs. */
export function checkScopes(
  context: GatewayContext,
  operation: OperationDefinitionNode,
  document: DocumentNode,
): void {
  const missing = requiredScopes(operation, document).filter((s) => !context.scopes.includes(s));
  if (missing.length) {
    throw error(`the API key lacks the scope ${missing.join(', ')} this operation needs`, 'FORBIDDEN', 403, {
      requiredScopes: missing,
    });
  }
}
