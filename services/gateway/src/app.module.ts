import { randomUUID } from 'node:crypto';

import type { Logger } from '@f2f/common';
import { RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloGatewayDriver, type ApolloGatewayDriverConfig } from '@nestjs/apollo';
import { Controller, type DynamicModule, Get, Module } from '@nestjs/common';
import { GraphQLModule } from '@nestjs/graphql';

import type { GatewayConfig } from './config';
import { loadSupergraph } from './supergraph';

/** Header the subgraphs read the caller's tenant from (see libs/platform graphql.ts). */
const TENANT_HEADER = 'x-f2f-tenant-id';

interface GatewayContext {
  tenantId: string;
  requestId: string;
}

@Controller()
class HealthController {
  @Get('health')
  health(): { status: string } {
    return { status: 'ok' };
  }
}

@Module({})
export class AppModule {
  static forRoot(config: GatewayConfig, logger: Logger): DynamicModule {
    const urls: Record<string, string> = {
      edits: config.EDITS_URL,
      captioning: config.CAPTIONING_URL,
      'frame-selection': config.FRAME_SELECTION_URL,
      metrics: config.METRICS_URL,
    };
    return {
      module: AppModule,
      controllers: [HealthController],
      imports: [
        GraphQLModule.forRoot<ApolloGatewayDriverConfig>({
          driver: ApolloGatewayDriver,
          server: {
            path: '/graphql',
            csrfPrevention: true,
            includeStacktraceInErrorResponses: false,
            context: ({ req }: { req: { headers: Record<string, string | undefined> } }): GatewayContext => ({
              tenantId: config.DEFAULT_TENANT_ID,
              requestId: req.headers['x-request-id'] ?? randomUUID(),
            }),
          },
          gateway: {
            supergraphSdl: loadSupergraph(),
            buildService: ({ name }) => {
              const url = urls[name];
              if (!url)
                throw new Error(`the supergraph names a subgraph "${name}" this gateway has no URL for`);
              return new RemoteGraphQLDataSource<GatewayContext>({
                url,
                willSendRequest: ({ request, context }) => {
                  // The gateway alone says who the caller is; a client's own header never passes.
                  request.http?.headers.set(TENANT_HEADER, context.tenantId);
                  if (context.requestId) request.http?.headers.set('x-request-id', context.requestId);
                },
              });
            },
          },
        }),
      ],
      providers: [{ provide: 'LOGGER', useValue: logger }],
    };
  }
}
