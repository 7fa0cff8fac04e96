import { DomainError, ErrorCode } from '@f2f/common';
import type { TenantId } from '@f2f/database';

import type {
  DeliveryPage,
  DeliveryStatus,
  WebhookDeliveriesRepository,
  WebhookDeliveryRow,
} from './webhook-deliveries.repository';

export const MAX_PAGE_SIZE = 100;

const invalid = (message: string) => new DomainError(ErrorCode.InvalidInput, message);
const isUuid = (id: string) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id);

export interface DeliveryCursor {
  createdAt: Date;
  id: string;
}

/** Opaque and stable: deliveries written while a client pages never shift its later pages. */
export function encodeDeliveryCursor(row: DeliveryCursor): string {
  return Buffer.from(`${row.createdAt.getTime()}:${row.id}`).toString('base64url');
}

export function decodeDeliveryCursor(value: string): DeliveryCursor {
  const match = /^(\d{1,15}):([0-9a-f-]{36})$/.exec(Buffer.from(value, 'base64url').toString());
  if (!match || !isUuid(match[2])) throw invalid('after is not a cursor of this listing');
  return { createdAt: new Date(Number(match[1])), id: match[2] };
}

/** The delivery log: an endpoint's deliveries with their attempts, and redelivery. */
export class DeliveryLogService {
  constructor(private readonly deliveries: WebhookDeliveriesRepository) {}

  async page(
    tenantId: TenantId,
    endpointId: string,
    args: { first?: number | null; after?: string | null; status?: DeliveryStatus[] | null },
  ): Promise<DeliveryPage & { totalCount: number }> {
    const first = args.first ?? 20;
    if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE)
      throw invalid(`first is 1..${MAX_PAGE_SIZE}`);
    const statuses = args.status ?? undefined;
    const after = args.after ? decodeDeliveryCursor(args.after) : undefined;
    const [page, totalCount] = await Promise.all([
      this.deliveries.page(tenantId, endpointId, { first, after, statuses }),
      this.deliveries.count(tenantId, endpointId, statuses),
    ]);
    return { ...page, totalCount };
  }

  async get(tenantId: TenantId, id: string): Promise<WebhookDeliveryRow | null> {
    return isUuid(id) ? this.deliveries.find(tenantId, id) : null;
  }

  async redeliver(tenantId: TenantId, id: string): Promise<WebhookDeliveryRow> {
    const row = isUuid(id) ? await this.deliveries.redeliver(tenantId, id) : null;
    if (!row) throw new DomainError(ErrorCode.NotFound, 'no webhook delivery with this id');
    return row;
  }
}
