import { randomUUID } from 'node:crypto';

import { assertNever, DomainError, ErrorCode, type Logger } from '@f2f/common';
import { asTenantId, type TenantId } from '@f2f/database';
import { ApolloFederationDriver, type ApolloFederationDriverConfig } from '@nestjs/apollo';
import { createParamDecorator, type DynamicModule, type ExecutionContext } from '@nestjs/common';
import { GqlExecutionContext, GraphQLModule } from '@nestjs/graphql';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';

/** The header the gateway sets with the caller's tenant. */
export const TENANT_HEADER = 'x-f2f-tenant-id';

export interface SubgraphContext {
  tenantId: TenantId | undefined;
  requestId: string;
}

/** The caller's tenant; a request without one is refused. */
export const CurrentTenant = createParamDecorator((_data: unknown, context: ExecutionContext): TenantId => {
  const ctx = GqlExecutionContext.create(context).getContext<SubgraphContext>();
  if (!ctx.tenantId) {
    throw new GraphQLError('this subgraph answers only requests that come through the gateway', {
      extensions: { code: 'UNAUTHENTICATED' },
    });
  }
  return ctx.tenantId;
});

/** Domain codes as they appear in GraphQL errors' `extensions.code`. */
export function graphqlCode(code: ErrorCode): string {
  switch (code) {
    case ErrorCode.InvalidInput:
      return 'BAD_USER_INPUT';
    case ErrorCode.InvalidImage:
      return 'INVALID_IMAGE';
    case ErrorCode.ImageTooLarge:
      return 'IMAGE_TOO_LARGE';
    case ErrorCode.InvalidCaption:
      return 'INVALID_CAPTION';
    case ErrorCode.NotFound:
      return 'NOT_FOUND';
    case ErrorCode.Conflict:
      return 'CONFLICT';
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
    const correlationId = randomUUID();
    logger.error({ err: original, correlationId }, 'unexpected GraphQL error');
    return {
      message: 'internal error',
      path: formatted.path,
      extensions: { code: 'INTERNAL_SERVER_ERROR', correlationId },
    };
  };
}

export function subgraphModule(typePaths: string[], logger: Logger): DynamicModule {
  return GraphQLModule.forRoot<ApolloFederationDriverConfig>({
    driver: ApolloFederationDriver,
    typePaths,
    path: '/graphql',
    playground: false,
    csrfPrevention: true,
    includeStacktraceInErrorResponses: false,
    formatError: formatGraphqlError(logger),
    context: ({ req }: { req: { headers: Record<string, string | undefined> } }): SubgraphContext => {
      const header = req.headers[TENANT_HEADER];
      let tenantId: TenantId | undefined;
      try {
        tenantId = header ? asTenantId(header) : undefined;
      } catch {
        tenantId = undefined;
      }
      return { tenantId, requestId: req.headers['x-request-id'] ?? randomUUID() };
    },
  });
}
