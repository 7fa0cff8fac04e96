import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { GqlExecutionContext } from '@nestjs/graphql';

/**
 * Who acts: the acting API key's id where the subgraph context carries one (`apiKeyId`, set once
 * API keys map callers to tenants), or an `actor`; null when the context has neither.
 */
export const CurrentActor = createParamDecorator(
  (_data: unknown, context: ExecutionContext): string | null => {
    const ctx = GqlExecutionContext.create(context).getContext<{ apiKeyId?: unknown; actor?: unknown }>();
    const actor = ctx.apiKeyId ?? ctx.actor;
    return typeof actor === 'string' && actor.length > 0 ? actor : null;
  },
);
