import { createDatabase } from './database';
import path from 'node:path';

import type { Clock, Logger } from '@f2f/common';
import type { PrismaClient } from './database';
import { CLOCK, PlatformModule, PRISMA, platformConfigFrom, subgraphModule } from '@f2f/platform';
import { type DynamicModule, Module } from '@nestjs/common';

import type { WebhooksConfig } from './config';
import { DeliveryLogService } from './deliveries/delivery-log.service';
import {
  PrismaWebhookDeliveriesRepository,
  WEBHOOK_DELIVERIES,
  type WebhookDeliveriesRepository,
} from './deliveries/webhook-deliveries.repository';
import { DispatcherLifecycle } from './dispatch/dispatcher.lifecycle';
import { HttpWebhookSender } from './dispatch/http-sender';
import { WebhookDispatcher } from './dispatch/webhook-dispatcher';
import {
  PrismaWebhookEndpointsRepository,
  WEBHOOK_ENDPOINTS,
  type WebhookEndpointsRepository,
} from './endpoints/webhook-endpoints.repository';
import { WebhookEndpointsService } from './endpoints/webhook-endpoints.service';
import { EditStatusHandler } from './events/edit-status.handler';
import { RecordDeliveriesUseCase } from './events/record-deliveries.use-case';
import { WebhooksResolver } from './graphql/webhooks.resolver';
import { SecretBox } from './signing/secret-box';

/** The subgraph's SDL, read from the source tree (it is also what the supergraph is composed from). */
export const WEBHOOKS_SDL = path.resolve(__dirname, '../src/graphql/webhooks.graphql');

@Module({})
export class AppModule {
  static forRoot(config: WebhooksConfig, logger: Logger): DynamicModule {
    if (config.WEBHOOK_ALLOW_PRIVATE_NETWORKS || config.WEBHOOK_ALLOW_HTTP)
      logger.warn(
        { allowHttp: config.WEBHOOK_ALLOW_HTTP, allowPrivateNetworks: config.WEBHOOK_ALLOW_PRIVATE_NETWORKS },
        'webhooks may go to plain http and/or private addresses: for local runs and tests only',
      );
    return {
      module: AppModule,
      imports: [
        PlatformModule.forRoot(platformConfigFrom('webhooks', config), logger, createDatabase),
        subgraphModule([WEBHOOKS_SDL], logger, { tenantContextSecret: config.TENANT_CONTEXT_SECRET }),
      ],
      providers: [
        { provide: SecretBox, useValue: new SecretBox(config.WEBHOOK_SECRET_ENCRYPTION_KEY) },
        {
          provide: WEBHOOK_ENDPOINTS,
          useFactory: (prisma: PrismaClient) => new PrismaWebhookEndpointsRepository(prisma),
          inject: [PRISMA],
        },
        {
          provide: WEBHOOK_DELIVERIES,
          useFactory: (prisma: PrismaClient) => new PrismaWebhookDeliveriesRepository(prisma),
          inject: [PRISMA],
        },
        {
          provide: WebhookEndpointsService,
          useFactory: (repo: WebhookEndpointsRepository, box: SecretBox, clock: Clock) =>
            new WebhookEndpointsService(
              repo,
              box,
              {
                allowHttp: config.WEBHOOK_ALLOW_HTTP,
                allowPrivateNetworks: config.WEBHOOK_ALLOW_PRIVATE_NETWORKS,
                maxEndpointsPerTenant: config.WEBHOOK_MAX_ENDPOINTS_PER_TENANT,
                rotationGraceMs: config.WEBHOOK_SECRET_ROTATION_GRACE_MS,
              },
              clock,
            ),
          inject: [WEBHOOK_ENDPOINTS, SecretBox, CLOCK],
        },
        {
          provide: DeliveryLogService,
          useFactory: (repo: WebhookDeliveriesRepository) => new DeliveryLogService(repo),
          inject: [WEBHOOK_DELIVERIES],
        },
        {
          provide: RecordDeliveriesUseCase,
          useFactory: (endpoints: WebhookEndpointsRepository, deliveries: WebhookDeliveriesRepository) =>
            new RecordDeliveriesUseCase(endpoints, deliveries),
          inject: [WEBHOOK_ENDPOINTS, WEBHOOK_DELIVERIES],
        },
        {
          provide: WebhookDispatcher,
          useFactory: (deliveries: WebhookDeliveriesRepository, box: SecretBox, clock: Clock) =>
            new WebhookDispatcher(
              deliveries,
              box,
              new HttpWebhookSender({
                timeoutMs: config.WEBHOOK_TIMEOUT_MS,
                allowPrivateNetworks: config.WEBHOOK_ALLOW_PRIVATE_NETWORKS,
              }),
              clock,
              logger.child({ component: 'dispatcher' }),
              {
                batchSize: config.WEBHOOK_BATCH_SIZE,
                pollIntervalMs: config.WEBHOOK_POLL_INTERVAL_MS,
                timeoutMs: config.WEBHOOK_TIMEOUT_MS,
                schedule: {
                  maxAttempts: config.WEBHOOK_MAX_ATTEMPTS,
                  baseDelayMs: config.WEBHOOK_RETRY_BASE_MS,
                  maxDelayMs: config.WEBHOOK_RETRY_MAX_MS,
                },
              },
            ),
          inject: [WEBHOOK_DELIVERIES, SecretBox, CLOCK],
        },
        DispatcherLifecycle,
        EditStatusHandler,
        WebhooksResolver,
      ],
    };
  }
}
