import type { TenantId } from '@f2f/database';
import type { PrismaClient, Tx } from '../database';

export interface WebhookEndpointRow {
  id: string;
  tenantId: string;
  url: string;
  description: string | null;
  eventTypes: string[];
  enabled: boolean;
  secretCiphertext: string;
  previousSecretCiphertext: string | null;
  previousSecretExpiresAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface NewWebhookEndpoint {
  id: string;
  url: string;
  description: string | null;
  eventTypes: string[];
  enabled: boolean;
  secretCiphertext: string;
}

export interface WebhookEndpointPatch {
  url?: string;
  description?: string | null;
  eventTypes?: string[];
  enabled?: boolean;
}

/** Every event type: an endpoint's filter of ["*"]. */
export const ALL_EVENTS = '*';

/** A change of an endpoint: what a tenant may change, and its secrets. */
export type EndpointChange = WebhookEndpointPatch &
  Partial<
    Pick<WebhookEndpointRow, 'secretCiphertext' | 'previousSecretCiphertext' | 'previousSecretExpiresAt'>
  >;

/** Data access for webhook endpoints; every method takes the tenant first. */
export interface WebhookEndpointsRepository {
  /** Creates an endpoint unless the tenant has `max` already (then null), also under concurrency. */
  createCapped(
    tenantId: TenantId,
    endpoint: NewWebhookEndpoint,
    max: number,
  ): Promise<WebhookEndpointRow | null>;
  list(tenantId: TenantId): Promise<WebhookEndpointRow[]>;
  find(tenantId: TenantId, id: string): Promise<WebhookEndpointRow | null>;
  update(tenantId: TenantId, id: string, patch: EndpointChange): Promise<WebhookEndpointRow | null>;
  setSecrets(
    tenantId: TenantId,
    id: string,
    secrets: { current: string; previous: string | null; previousExpiresAt: Date | null },
  ): Promise<WebhookEndpointRow | null>;
  /** Deletes an endpoint with its deliveries and attempts; false when the tenant has no such endpoint. */
  delete(tenantId: TenantId, id: string): Promise<boolean>;
  /** The tenant's enabled endpoints that want this event type and existed when the event happened. */
  subscribedTo(
    tx: Tx,
    tenantId: TenantId,
    eventType: string,
    occurredAt: Date,
  ): Promise<WebhookEndpointRow[]>;
}
export const WEBHOOK_ENDPOINTS = Symbol('WebhookEndpointsRepository');

export class PrismaWebhookEndpointsRepository implements WebhookEndpointsRepository {
  constructor(private readonly prisma: PrismaClient) {}

  /**
   * Creates an endpoint unless the tenant has `max` already; counted under a transaction lock per
   * tenant, so concurrent creates cannot pass the cap. Null when the cap is reached.
   */
  createCapped(
    tenantId: TenantId,
    endpoint: NewWebhookEndpoint,
    max: number,
  ): Promise<WebhookEndpointRow | null> {
    return this.prisma.$transaction(async (tx: Tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`webhook-endpoints:${tenantId}`}))`;
      if ((await tx.webhookEndpoint.count({ where: { tenantId } })) >= max) return null;
      return tx.webhookEndpoint.create({ data: { tenantId, ...endpoint } });
    });
  }

  list(tenantId: TenantId): Promise<WebhookEndpointRow[]> {
    return this.prisma.webhookEndpoint.findMany({
      where: { tenantId },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    });
  }

  find(tenantId: TenantId, id: string): Promise<WebhookEndpointRow | null> {
    return this.prisma.webhookEndpoint.findFirst({ where: { tenantId, id } });
  }

  async update(tenantId: TenantId, id: string, patch: EndpointChange): Promise<WebhookEndpointRow | null> {
    const { count } = await this.prisma.webhookEndpoint.updateMany({ where: { tenantId, id }, data: patch });
    return count === 0 ? null : this.find(tenantId, id);
  }

  async setSecrets(
    tenantId: TenantId,
    id: string,
    secrets: { current: string; previous: string | null; previousExpiresAt: Date | null },
  ): Promise<WebhookEndpointRow | null> {
    return this.update(tenantId, id, {
      secretCiphertext: secrets.current,
      previousSecretCiphertext: secrets.previous,
      previousSecretExpiresAt: secrets.previousExpiresAt,
    });
  }

  /** Deletes an endpoint with its deliveries and attempts; false when the tenant has no such endpoint. */
  async delete(tenantId: TenantId, id: string): Promise<boolean> {
    const { count } = await this.prisma.webhookEndpoint.deleteMany({ where: { tenantId, id } });
    return count > 0;
  }

  /** The tenant's enabled endpoints that want this event type and existed when the event happened. */
  subscribedTo(
    tx: Tx,
    tenantId: TenantId,
    eventType: string,
    occurredAt: Date,
  ): Promise<WebhookEndpointRow[]> {
    return tx.webhookEndpoint.findMany({
      where: {
        tenantId,
        enabled: true,
        createdAt: { lte: occurredAt },
        eventTypes: { hasSome: [ALL_EVENTS, eventType] },
      },
    });
  }
}
