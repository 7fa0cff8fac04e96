import { randomUUID } from 'node:crypto';

import { assertNever, DomainError, ErrorCode, type Logger } from '@f2f/common';
import { asTenantId, type TenantId } from '@f2f/database';
import { graphqlMetricsPlugin } from '@f2f/telemetry';
import { ApolloFederationDriver, type ApolloFederationDriverConfig } from '@nestjs/apollo';
import {
  applyDecorators,
  type CanActivate,
  createParamDecorator,
  type DynamicModule,
  type ExecutionContext,
  Injectable,
  type Type,
  UseGuards,
} from '@nestjs/common';
import { GqlExecutionContext, GraphQLModule } from '@nestjs/graphql';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';

import { type Scope, TENANT_CONTEXT_HEADER, TenantContextError, verifyTenantContext } from './tenant-context';

export interface SubgraphContext {
  tenantId: TenantId | undefined;
  scopes: Scope[];
  /** The API key the request was made with. */
  keyId: string | undefined;
  requestId: string;
}

const unauthenticated = (message: string) =>
  new GraphQLError(message, { extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } } });

const isSubgraphContext = (value: unknown): value is SubgraphContext =>
  typeof value === 'object' && value !== null && 'requestId' in value && 'scopes' in value;

/**
 * The request's context. A field resolver gets (parent, args, context, info); a federation reference
 * resolver (`@ResolveReference`) gets (reference, context, info), so its context is the second one.
 */
const contextOf = (context: ExecutionContext): SubgraphContext => {
  const fieldContext = GqlExecutionContext.create(context).getContext<unknown>();
  if (isSubgraphContext(fieldContext)) return fieldContext;
  const referenceContext = context.getArgByIndex<unknown>(1);
  return isSubgraphContext(referenceContext) ? referenceContext : ({} as SubgraphContext);
};

/** The caller's tenant; a request without one is refused. */
export const CurrentTenant = createParamDecorator((_data: unknown, context: ExecutionContext): TenantId => {
  const ctx = contextOf(context);
  if (!ctx.tenantId)
    throw unauthenticated('this subgraph answers only requests that come through the gateway');
  return ctx.tenantId;
});

/** The id of the API key the caller acts with (who did it), e.g. to record who chose a frame. */
export const ActingKeyId = createParamDecorator((_data: unknown, context: ExecutionContext): string => {
  const ctx = contextOf(context);
  if (!ctx.keyId) throw unauthenticated('this subgraph answers only requests that come through the gateway');
  return ctx.keyId;
});

const scopeGuards = new Map<string, Type<CanActivate>>();

function scopeGuard(scopes: Scope[]): Type<CanActivate> {
  const name = [...scopes].sort().join(',');
  let guard = scopeGuards.get(name);
  if (!guard) {
    @Injectable()
    class ScopeGuard implements CanActivate {
      canActivate(context: ExecutionContext): boolean {
        const ctx = contextOf(context);
        if (!ctx.tenantId)
          throw unauthenticated('this subgraph answers only requests that come through the gateway');
        const missing = scopes.filter((s) => !ctx.scopes.includes(s));
        if (missing.length) {
          throw new GraphQLError(`this operation needs an API key with the scope ${missing.join(', ')}`, {
            extensions: { code: 'FORBIDDEN', requiredScopes: missing, http: { status: 403 } },
          });
        }
        return true;
      }
    }
    guard = ScopeGuard;
    scopeGuards.set(name, guard);
  }
  return guard;
}

/** Refuses (FORBIDDEN) a resolver call whose API key lacks any of these scopes. */
export const RequireScopes = (...scopes: Scope[]) => applyDecorators(UseGuards(scopeGuard(scopes)));

/** Domain codes as they appear in GraphQL errors' `extensions.code`. */
export function graphqlCode(code: ErrorCode): string {
  switch (code) {
    case ErrorCode.InvalidInput:
      return 'BAD_USER_INPUT';
    case ErrorCode.InvalidImage:
      return 'INVALID_IMAGE';
    case ErrorCode.UnsupportedMediaType:
      return 'UNSUPPORTED_MEDIA_TYPE';
    case ErrorCode.ImageTooLarge:
      return 'IMAGE_TOO_LARGE';
    case ErrorCode.InvalidCaption:
      return 'INVALID_CAPTION';
    case ErrorCode.NotFound:
      return 'NOT_FOUND';
    case ErrorCode.Conflict:
      return 'CONFLICT';
    case ErrorCode.TooManyEdits:
      return 'TOO_MANY_EDITS';
    case ErrorCode.TooManyApiKeys:
      return 'TOO_MANY_API_KEYS';
    case ErrorCode.TooManyUploads:
      return 'TOO_MANY_UPLOADS';
    case ErrorCode.Unavailable:
      return 'SERVICE_UNAVAILABLE';
    case ErrorCode.Internal:
      return 'INTERNAL_SERVER_ERROR';
    default:
      return assertNever(code);
  }
}

/** One error filter for GraphQL: domain errors keep their code and message, anything else hides internals. */
export function formatGraphqlError(logger: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = error instanceof GraphQLError ? error.originalError : error;
    if (original instanceof DomainError) {
      return {
        message: original.message,
        path: formatted.path,
        extensions: {
          code: graphqlCode(original.code),
          ...(original.details ? { details: original.details } : {}),
        },
      };
    }
    const code = formatted.extensions?.code;
    if (typeof code === 'string' && code !== 'INTERNAL_SERVER_ERROR') return formatted;
    // @apollo/subgraph's answer to a representation of a type this subgraph does not know: the
    // caller's mistake, not ours.
    if (
      /^The _entities resolver tried to load an entity for type "[^"]*", but no object/.test(
        formatted.message,
      )
    ) {
      return { message: formatted.message, path: formatted.path, extensions: { code: 'BAD_USER_INPUT' } };
    }
    const correlationId = randomUUID();
    logger.error({ err: original, correlationId }, 'unexpected GraphQL error');
    return {
      message: 'internal error',
      path: formatted.path,
      extensions: { code: 'INTERNAL_SERVER_ERROR', correlationId },
    };
  };
}

export interface SubgraphOptions {
  /** TENANT_CONTEXT_SECRET: verifies the tenant context the gateway signs. */
  tenantContextSecret: string;
}

/**
 * A federation subgraph on these SDL files. Every request must carry a tenant context signed by the
 * gateway (TENANT_CONTEXT_HEADER); one without it, or with a forged or expired one, is refused with
 * UNAUTHENTICATED before any resolver runs.
 */
export function subgraphModule(typePaths: string[], logger: Logger, options: SubgraphOptions): DynamicModule {
  return GraphQLModule.forRoot<ApolloFederationDriverConfig>({
    driver: ApolloFederationDriver,
    typePaths,
    path: '/graphql',
    playground: false,
    csrfPrevention: true,
    includeStacktraceInErrorResponses: false,
    plugins: [graphqlMetricsPlugin()],
    formatError: formatGraphqlError(logger),
    context: ({ req }: { req: { headers: Record<string, string | undefined> } }): SubgraphContext => {
      try {
        const verified = verifyTenantContext(req.headers[TENANT_CONTEXT_HEADER], options.tenantContextSecret);
        return {
          tenantId: asTenantId(verified.tenantId),
          scopes: verified.scopes,
          keyId: verified.keyId,
          requestId: verified.requestId,
        };
      } catch (error) {
        const reason = error instanceof TenantContextError ? error.reason : 'malformed';
        logger.warn(
          { reason, requestId: req.headers['x-request-id'] },
          'refused a request without a valid tenant context',
        );
        throw unauthenticated(
          `this subgraph answers only requests that come through the gateway (tenant context ${reason})`,
        );
      }
    },
  });
}
