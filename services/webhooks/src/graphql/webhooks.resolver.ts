import type { TenantId } from '@f2f/database';
import { CurrentTenant, RequireScopes } from '@f2f/platform';
import { Args, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';

import { DeliveryLogService, encodeDeliveryCursor } from '../deliveries/delivery-log.service';
import type { DeliveryStatus, WebhookDeliveryRow } from '../deliveries/webhook-deliveries.repository';
import { WebhookDispatcher } from '../dispatch/webhook-dispatcher';
import type { WebhookEndpointRow } from '../endpoints/webhook-endpoints.repository';
import { WEBHOOK_EVENT_TYPES, WebhookEndpointsService } from '../endpoints/webhook-endpoints.service';

interface EndpointView {
  id: string;
  url: string;
  description: string | null;
  events: string[];
  enabled: boolean;
  createdAt: string;
  updatedAt: string;
  previousSecretExpiresAt: string | null;
  tenantId: TenantId;
}

const iso = (d: Date | null) => d?.toISOString() ?? null;

const endpointView = (row: WebhookEndpointRow): EndpointView => ({
  id: row.id,
  url: row.url,
  description: row.description,
  events: row.eventTypes,
  enabled: row.enabled,
  createdAt: row.createdAt.toISOString(),
  updatedAt: row.updatedAt.toISOString(),
  previousSecretExpiresAt:
    row.previousSecretExpiresAt && row.previousSecretExpiresAt > new Date()
      ? iso(row.previousSecretExpiresAt)
      : null,
  tenantId: row.tenantId as TenantId,
});

const deliveryView = (row: WebhookDeliveryRow) => ({
  id: row.id,
  endpointId: row.endpointId,
  eventId: row.eventId,
  eventType: row.eventType,
  editId: row.editId,
  status: row.status,
  attemptCount: row.attemptCount,
  nextAttemptAt: row.status === 'PENDING' ? iso(row.nextAttemptAt) : null,
  lastStatusCode: row.lastStatusCode,
  lastError: row.lastError,
  createdAt: row.createdAt.toISOString(),
  completedAt: iso(row.completedAt),
  payload: row.body,
  attempts: row.attempts.map((a) => ({
    attempt: a.attempt,
    startedAt: a.startedAt.toISOString(),
    statusCode: a.statusCode,
    latencyMs: a.latencyMs,
    error: a.error,
    responseBody: a.responseBody,
  })),
});

/** The caller's tenant's webhook endpoints and delivery log; every operation needs the admin scope. */
@Resolver('WebhookEndpoint')
@RequireScopes('admin')
export class WebhooksResolver {
  constructor(
    private readonly endpoints: WebhookEndpointsService,
    private readonly log: DeliveryLogService,
    private readonly dispatcher: WebhookDispatcher,
  ) {}

  @Query('webhookEndpoints')
  async list(@CurrentTenant() tenantId: TenantId) {
    return (await this.endpoints.list(tenantId)).map(endpointView);
  }

  @Query('webhookEndpoint')
  async get(@CurrentTenant() tenantId: TenantId, @Args('id') id: string) {
    const row = await this.endpoints.get(tenantId, id);
    return row ? endpointView(row) : null;
  }

  @Query('webhookDelivery')
  async delivery(@CurrentTenant() tenantId: TenantId, @Args('id') id: string) {
    const row = await this.log.get(tenantId, id);
    return row ? deliveryView(row) : null;
  }

  @Query('webhookEventTypes')
  eventTypes(): string[] {
    return [...WEBHOOK_EVENT_TYPES];
  }

  @Mutation('createWebhookEndpoint')
  async create(
    @CurrentTenant() tenantId: TenantId,
    @Args('input')
    input: { url: string; events?: string[] | null; description?: string | null; enabled?: boolean | null },
  ) {
    const { endpoint, secret } = await this.endpoints.create(tenantId, input);
    return { endpoint: endpointView(endpoint), secret };
  }

  @Mutation('updateWebhookEndpoint')
  async update(
    @CurrentTenant() tenantId: TenantId,
    @Args('id') id: string,
    @Args('input')
    input: {
      url?: string | null;
      events?: string[] | null;
      description?: string | null;
      enabled?: boolean | null;
    },
  ) {
    const row = await this.endpoints.update(tenantId, id, input);
    if (row.enabled) this.dispatcher.wake();
    return endpointView(row);
  }

  @Mutation('deleteWebhookEndpoint')
  async delete(@CurrentTenant() tenantId: TenantId, @Args('id') id: string) {
    await this.endpoints.delete(tenantId, id);
    return id;
  }

  @Mutation('rotateWebhookSecret')
  async rotate(@CurrentTenant() tenantId: TenantId, @Args('id') id: string) {
    const { endpoint, secret, previousSecretExpiresAt } = await this.endpoints.rotateSecret(tenantId, id);
    return {
      endpoint: endpointView(endpoint),
      secret,
      previousSecretExpiresAt: iso(previousSecretExpiresAt),
    };
  }

  @Mutation('redeliverWebhook')
  async redeliver(@CurrentTenant() tenantId: TenantId, @Args('deliveryId') deliveryId: string) {
    const row = await this.log.redeliver(tenantId, deliveryId);
    this.dispatcher.wake();
    return deliveryView(row);
  }

  @ResolveField('deliveries')
  async deliveries(
    @Parent() endpoint: EndpointView,
    @Args('first') first: number | null,
    @Args('after') after: string | null,
    @Args('status') status: DeliveryStatus[] | null,
  ) {
    const page = await this.log.page(endpoint.tenantId, endpoint.id, { first, after, status });
    const edges = page.rows.map((row) => ({ cursor: encodeDeliveryCursor(row), node: deliveryView(row) }));
    return {
      edges,
      pageInfo: { hasNextPage: page.hasNextPage, endCursor: edges.at(-1)?.cursor ?? null },
      totalCount: page.totalCount,
    };
  }
}
