import { randomUUID } from 'node:crypto';

import type { TenantId } from '@f2f/database';
import type { Tx } from '../database';

import type {
  AttemptOutcome,
  ClaimedDelivery,
  DeliveryPage,
  DeliveryStatus,
  NewDelivery,
  NextStep,
  WebhookDeliveriesRepository,
  WebhookDeliveryRow,
} from '../deliveries/webhook-deliveries.repository';
import {
  ALL_EVENTS,
  type EndpointChange,
  type NewWebhookEndpoint,
  type WebhookEndpointRow,
  type WebhookEndpointsRepository,
} from '../endpoints/webhook-endpoints.repository';

export class InMemoryWebhookEndpoints implements WebhookEndpointsRepository {
  readonly rows: WebhookEndpointRow[] = [];
  constructor(private readonly now: () => Date = () => new Date()) {}

  async createCapped(tenantId: TenantId, endpoint: NewWebhookEndpoint, max: number) {
    if ((await this.list(tenantId)).length >= max) return null;
    const at = this.now();
    const row: WebhookEndpointRow = {
      ...endpoint,
      tenantId,
      previousSecretCiphertext: null,
      previousSecretExpiresAt: null,
      createdAt: at,
      updatedAt: at,
    };
    this.rows.push(row);
    return row;
  }

  async list(tenantId: TenantId) {
    return this.rows.filter((r) => r.tenantId === tenantId);
  }

  async find(tenantId: TenantId, id: string) {
    return this.rows.find((r) => r.tenantId === tenantId && r.id === id) ?? null;
  }

  async update(tenantId: TenantId, id: string, patch: EndpointChange) {
    const row = await this.find(tenantId, id);
    if (!row) return null;
    Object.assign(row, patch, { updatedAt: this.now() });
    return row;
  }

  setSecrets(
    tenantId: TenantId,
    id: string,
    secrets: { current: string; previous: string | null; previousExpiresAt: Date | null },
  ) {
    return this.update(tenantId, id, {
      secretCiphertext: secrets.current,
      previousSecretCiphertext: secrets.previous,
      previousSecretExpiresAt: secrets.previousExpiresAt,
    });
  }

  async delete(tenantId: TenantId, id: string) {
    const at = this.rows.findIndex((r) => r.tenantId === tenantId && r.id === id);
    if (at >= 0) this.rows.splice(at, 1);
    return at >= 0;
  }

  async subscribedTo(_tx: Tx, tenantId: TenantId, eventType: string, occurredAt: Date) {
    return this.rows.filter(
      (r) =>
        r.tenantId === tenantId &&
        r.enabled &&
        r.createdAt <= occurredAt &&
        (r.eventTypes.includes(ALL_EVENTS) || r.eventTypes.includes(eventType)),
    );
  }
}

export class InMemoryWebhookDeliveries implements WebhookDeliveriesRepository {
  readonly rows: WebhookDeliveryRow[] = [];
  private clock = 0;

  async createForEvent(_tx: Tx, tenantId: TenantId, deliveries: NewDelivery[]): Promise<number> {
    let written = 0;
    for (const d of deliveries) {
      if (this.rows.some((r) => r.endpointId === d.endpointId && r.eventId === d.eventId)) continue;
      const now = new Date(Date.UTC(2026, 0, 1) + this.clock++);
      this.rows.push({
        ...d,
        id: randomUUID(),
        tenantId,
        status: 'PENDING',
        attemptCount: 0,
        roundStartAttempt: 0,
        nextAttemptAt: now,
        lastStatusCode: null,
        lastError: null,
        createdAt: now,
        completedAt: null,
        attempts: [],
      });
      written++;
    }
    return written;
  }

  async claimDue(limit: number): Promise<ClaimedDelivery[]> {
    throw new Error(`the in-memory deliveries do not dispatch (asked for ${limit})`);
  }

  async recordAttempt(_claim: ClaimedDelivery, _outcome: AttemptOutcome, _next: NextStep): Promise<boolean> {
    throw new Error('the in-memory deliveries do not dispatch');
  }

  private of(tenantId: TenantId, endpointId: string, statuses?: DeliveryStatus[]) {
    return this.rows
      .filter((r) => r.tenantId === tenantId && r.endpointId === endpointId)
      .filter((r) => !statuses?.length || statuses.includes(r.status))
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : -1));
  }

  async page(
    tenantId: TenantId,
    endpointId: string,
    options: { first: number; after?: { createdAt: Date; id: string }; statuses?: DeliveryStatus[] },
  ): Promise<DeliveryPage> {
    const { first, after, statuses } = options;
    const rows = this.of(tenantId, endpointId, statuses).filter(
      (r) =>
        !after ||
        r.createdAt < after.createdAt ||
        (r.createdAt.getTime() === after.createdAt.getTime() && r.id < after.id),
    );
    return { rows: rows.slice(0, first), hasNextPage: rows.length > first };
  }

  async count(tenantId: TenantId, endpointId: string, statuses?: DeliveryStatus[]) {
    return this.of(tenantId, endpointId, statuses).length;
  }

  async find(tenantId: TenantId, id: string) {
    return this.rows.find((r) => r.tenantId === tenantId && r.id === id) ?? null;
  }

  async redeliver(tenantId: TenantId, id: string) {
    const row = await this.find(tenantId, id);
    if (!row) return null;
    if (row.status !== 'PENDING') row.roundStartAttempt = row.attemptCount;
    Object.assign(row, { status: 'PENDING', nextAttemptAt: new Date(), completedAt: null });
    return row;
  }
}
