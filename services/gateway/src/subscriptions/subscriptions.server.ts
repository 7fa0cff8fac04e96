import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';

import type { Logger } from '@f2f/common';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import {
  getOperationAST,
  GraphQLError,
  type GraphQLSchema,
  parse,
  validate,
  type ValidationRule,
} from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';

import { checkScopes, type GatewayContext } from '../auth/request-auth';
import type { EditFeed } from './edit-feed';

export const SUBSCRIPTIONS = Symbol('SubscriptionsSetup');

export interface SubscriptionsSetup {
  feed: EditFeed;
  schema: GraphQLSchema;
  authenticate: (headers: Record<string, string | undefined>, requestId: string) => Promise<GatewayContext>;
  /** The HTTP endpoint's limits (depth, cost) apply to subscriptions too. */
  validationRules: readonly ValidationRule[];
  logger: Logger;
}

/** WebSocket close codes of the graphql-ws protocol family for a refused connection. */
const UNAUTHORIZED = 4401;
const FORBIDDEN = 4403;

/**
 * Subscriptions over graphql-ws at the gateway's /graphql (Apollo Gateway serves queries and
 * mutations over HTTP; it has no subscriptions). A connection authenticates once with its API key
 * in the connection parameters (`{ "authorization": "Bearer <key>" }` or `{ "apiKey": "<key>" }`);
 * each subscription needs the read scope and passes the same depth and cost limits as HTTP.
 */
@Injectable()
export class SubscriptionsServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private wss: WebSocketServer | undefined;
  private dispose: (() => void | Promise<void>) | undefined;
  private readonly principals = new WeakMap<object, GatewayContext>();

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @Inject(SUBSCRIPTIONS) private readonly setup: SubscriptionsSetup,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const { feed, schema, logger } = this.setup;
    await feed.start();
    const server = this.adapterHost.httpAdapter.getHttpServer() as Server;
    this.wss = new WebSocketServer({ server, path: '/graphql' });
    const handle = useServer<Record<string, unknown> | undefined, { socket: import('ws').WebSocket }>(
      {
        schema,
        onConnect: async (ctx) => {
          const params = ctx.connectionParams ?? {};
          const text = (v: unknown) => (typeof v === 'string' ? v : undefined);
          const authorization =
            text(params.authorization) ?? (text(params.apiKey) ? `Bearer ${text(params.apiKey)}` : undefined);
          try {
            const principal = await this.setup.authenticate({ authorization }, randomUUID());
            this.principals.set(ctx, principal);
            return true;
          } catch (error) {
            const code = error instanceof GraphQLError ? error.extensions.code : undefined;
            ctx.extra.socket.close(
              code === 'UNAUTHENTICATED' ? UNAUTHORIZED : FORBIDDEN,
              `${String(code ?? 'FORBIDDEN')}: ${(error as Error).message}`.slice(0, 120),
            );
            return false;
          }
        },
        onComplete: (_ctx, id) => logger.debug({ id }, 'subscription completed'),
        onError: (_ctx, id, _payload, errors) =>
          logger.debug({ id, errors: errors.map((e) => e.message) }, 'subscription error'),
        onSubscribe: (ctx, _id, payload) => {
          const principal = this.principals.get(ctx);
          if (!principal)
            return [new GraphQLError('not authenticated', { extensions: { code: 'UNAUTHENTICATED' } })];
          let document;
          try {
            document = parse(payload.query);
          } catch (error) {
            return [error as GraphQLError];
          }
          const errors = validate(schema, document, this.setup.validationRules);
          if (errors.length > 0) return errors;
          const operation = getOperationAST(document, payload.operationName);
          if (operation?.operation !== 'subscription') {
            return [
              new GraphQLError(
                'only subscriptions are served over WebSocket; send queries and mutations over HTTP',
                {
                  extensions: { code: 'BAD_REQUEST' },
                },
              ),
            ];
          }
          try {
            checkScopes(principal, operation, document);
          } catch (error) {
            return [error as GraphQLError];
          }
          logger.debug(
            {
              tenantId: principal.tenantId,
              field: operation.selectionSet.selections.map((f) => ('name' in f ? f.name.value : '')),
            },
            'subscription started',
          );
          return {
            schema,
            document,
            operationName: payload.operationName,
            variableValues: payload.variables,
            contextValue: principal,
          };
        },
      },
      this.wss,
    );
    this.dispose = () => handle.dispose();
    logger.info('subscriptions served over graphql-ws at /graphql');
  }

  async onApplicationShutdown(): Promise<void> {
    await this.dispose?.();
    this.wss?.close();
    await this.setup.feed.stop();
  }
}
