import { randomUUID } from 'node:crypto';

import type { TenantId } from '@f2f/database';
import type { Prisma, PrismaClient, Tx } from '../database';

export type DeliveryStatus = 'PENDING' | 'SUCCEEDED' | 'FAILED';

export interface WebhookAttemptRow {
  attempt: number;
  startedAt: Date;
  statusCode: number | null;
  latencyMs: number;
  error: string | null;
  responseBody: string | null;
}

export interface WebhookDeliveryRow {
  id: string;
  tenantId: string;
  endpointId: string;
  eventId: string;
  eventType: string;
  editId: string;
  body: string;
  status: DeliveryStatus;
  attemptCount: number;
  roundStartAttempt: number;
  nextAttemptAt: Date;
  lastStatusCode: number | null;
  lastError: string | null;
  createdAt: Date;
  completedAt: Date | null;
  attempts: WebhookAttemptRow[];
}

export interface NewDelivery {
  endpointId: string;
  eventId: string;
  eventType: string;
  editId: string;
  body: string;
}

/** A delivery the dispatcher holds, with what it takes to send it. */
export interface ClaimedDelivery {
  id: string;
  tenantId: string;
  endpointId: string;
  eventId: string;
  eventType: string;
  body: string;
  /** This attempt's number (1 for the first). */
  attempt: number;
  /** Attempts in this round, this one included (a redelivery starts a new round). */
  attemptInRound: number;
  claimToken: string;
  url: string;
  secretCiphertext: string;
  previousSecretCiphertext: string | null;
  previousSecretExpiresAt: Date | null;
}

export interface AttemptOutcome {
  startedAt: Date;
  statusCode: number | null;
  latencyMs: number;
  error: string | null;
  responseBody: string | null;
}

/** What happens to a delivery after an attempt: done, failed for good, or again after a delay. */
export type NextStep =
  { status: 'SUCCEEDED' } | { status: 'FAILED' } | { status: 'PENDING'; retryInMs: number };

export interface DeliveryPage {
  rows: WebhookDeliveryRow[];
  hasNextPage: boolean;
}

const withAttempts = {
  attempts: { orderBy: { attempt: 'asc' } },
} as const satisfies Prisma.WebhookDeliveryInclude;

/** Data access for deliveries and their attempts; reads and changes a client makes take the tenant first. */
export interface WebhookDeliveriesRepository {
  /** One PENDING delivery per endpoint for an event, due now; an (endpoint, event) pair is written once. */
  createForEvent(tx: Tx, tenantId: TenantId, deliveries: NewDelivery[]): Promise<number>;
  /** Claims up to `limit` due deliveries for one dispatcher, each leased for `leaseMs`. */
  claimDue(limit: number, leaseMs: number): Promise<ClaimedDelivery[]>;
  /** The attempt and the delivery's next step; false when the claim was lost. */
  recordAttempt(claim: ClaimedDelivery, outcome: AttemptOutcome, next: NextStep): Promise<boolean>;
  page(
    tenantId: TenantId,
    endpointId: string,
    options: { first: number; after?: { createdAt: Date; id: string }; statuses?: DeliveryStatus[] },
  ): Promise<DeliveryPage>;
  count(tenantId: TenantId, endpointId: string, statuses?: DeliveryStatus[]): Promise<number>;
  find(tenantId: TenantId, id: string): Promise<WebhookDeliveryRow | null>;
  redeliver(tenantId: TenantId, id: string): Promise<WebhookDeliveryRow | null>;
}
export const WEBHOOK_DELIVERIES = Symbol('WebhookDeliveriesRepository');

export class PrismaWebhookDeliveriesRepository implements WebhookDeliveriesRepository {
  constructor(private readonly prisma: PrismaClient) {}

  /** One PENDING delivery per endpoint for an event, due now; an (endpoint, event) pair is written once. */
  async createForEvent(tx: Tx, tenantId: TenantId, deliveries: NewDelivery[]): Promise<number> {
    if (deliveries.length === 0) return 0;
    const now = new Date();
    const { count } = await tx.webhookDelivery.createMany({
      data: deliveries.map((d) => ({ id: randomUUID(), tenantId, nextAttemptAt: now, ...d })),
      skipDuplicates: true,
    });
    return count;
  }

  /**
   * Claims up to `limit` due deliveries of enabled endpoints for one dispatcher: each gets a claim
   * token, one more attempt, and a due time pushed `leaseMs` ahead, in one statement whose rows are
   * locked with SKIP LOCKED, so replicas never claim the same delivery. A dispatcher that dies
   * mid-attempt leaves the delivery due again when the lease lapses.
   */
  claimDue(limit: number, leaseMs: number): Promise<ClaimedDelivery[]> {
    const token = randomUUID();
    return this.prisma.$queryRaw<ClaimedDelivery[]>`
      WITH due AS (
        SELECT d.id
        FROM webhook_deliveries d
        JOIN webhook_endpoints e ON e.id = d.endpoint_id AND e.enabled
        WHERE d.status = 'PENDING'::"WebhookDeliveryStatus" AND d.next_attempt_at <= now()
        ORDER BY d.next_attempt_at
        LIMIT ${limit}
        FOR UPDATE OF d SKIP LOCKED
      )
      UPDATE webhook_deliveries d
      SET claim_token = ${token}::uuid,
          attempt_count = d.attempt_count + 1,
          next_attempt_at = now() + ${leaseMs} * interval '1 millisecond'
      FROM due, webhook_endpoints e
      WHERE d.id = due.id AND e.id = d.endpoint_id
      RETURNING d.id::text AS "id", d.tenant_id AS "tenantId", d.endpoint_id::text AS "endpointId",
        d.event_id::text AS "eventId", d.event_type AS "eventType", d.body,
        d.attempt_count AS "attempt", (d.attempt_count - d.round_start_attempt) AS "attemptInRound",
        d.claim_token::text AS "claimToken", e.url, e.secret_ciphertext AS "secretCiphertext",
        e.previous_secret_ciphertext AS "previousSecretCiphertext",
        e.previous_secret_expires_at AS "previousSecretExpiresAt"`;
  }

  /**
   * Records an attempt and what follows it. The attempt is always kept; the delivery changes only
   * while this dispatcher still holds its claim (a redelivery or a lapsed lease may have moved it on).
   */
  async recordAttempt(claim: ClaimedDelivery, outcome: AttemptOutcome, next: NextStep): Promise<boolean> {
    return this.prisma.$transaction(async (tx: Tx) => {
      await tx.webhookAttempt.createMany({
        data: [{ tenantId: claim.tenantId, deliveryId: claim.id, attempt: claim.attempt, ...outcome }],
        skipDuplicates: true,
      });
      const retryInMs = next.status === 'PENDING' ? next.retryInMs : 0;
      const updated = await tx.$executeRaw`
        UPDATE webhook_deliveries
        SET status = ${next.status}::"WebhookDeliveryStatus",
            claim_token = NULL,
            last_status_code = ${outcome.statusCode},
            last_error = ${outcome.error},
            next_attempt_at = CASE WHEN ${next.status} = 'PENDING'
              THEN now() + ${retryInMs} * interval '1 millisecond' ELSE next_attempt_at END,
            completed_at = CASE WHEN ${next.status} = 'PENDING' THEN NULL ELSE now() END
        WHERE id = ${claim.id}::uuid AND claim_token = ${claim.claimToken}::uuid`;
      return updated > 0;
    });
  }

  /** An endpoint's deliveries, newest first by (createdAt, id), after a cursor position. */
  async page(
    tenantId: TenantId,
    endpointId: string,
    options: { first: number; after?: { createdAt: Date; id: string }; statuses?: DeliveryStatus[] },
  ): Promise<DeliveryPage> {
    const { first, after, statuses } = options;
    const rows = await this.prisma.webhookDelivery.findMany({
      where: {
        tenantId,
        endpointId,
        ...(statuses?.length ? { status: { in: statuses } } : {}),
        ...(after
          ? {
              OR: [
                { createdAt: { lt: after.createdAt } },
                { createdAt: after.createdAt, id: { lt: after.id } },
              ],
            }
          : {}),
      },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: first + 1,
      include: withAttempts,
    });
    return { rows: rows.slice(0, first), hasNextPage: rows.length > first };
  }

  count(tenantId: TenantId, endpointId: string, statuses?: DeliveryStatus[]): Promise<number> {
    return this.prisma.webhookDelivery.count({
      where: { tenantId, endpointId, ...(statuses?.length ? { status: { in: statuses } } : {}) },
    });
  }

  find(tenantId: TenantId, id: string): Promise<WebhookDeliveryRow | null> {
    return this.prisma.webhookDelivery.findFirst({ where: { tenantId, id }, include: withAttempts });
  }

  /**
   * Sends a delivery again, now: a finished one starts a new round of attempts, a pending one
   * becomes due at once. Null when the tenant has no such delivery.
   */
  async redeliver(tenantId: TenantId, id: string): Promise<WebhookDeliveryRow | null> {
    const updated = await this.prisma.$executeRaw`
      UPDATE webhook_deliveries
      SET status = 'PENDING'::"WebhookDeliveryStatus",
          round_start_attempt = CASE WHEN status = 'PENDING'::"WebhookDeliveryStatus"
            THEN round_start_attempt ELSE attempt_count END,
          next_attempt_at = now(), claim_token = NULL, completed_at = NULL
      WHERE id = ${id}::uuid AND tenant_id = ${tenantId}`;
    return updated === 0 ? null : this.find(tenantId, id);
  }
}
