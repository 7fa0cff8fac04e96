import type { Tx } from '../database';
import type { EventEnvelope, Topic } from '@f2f/contracts';
import { asTenantId } from '@f2f/database';
import type { HandlerContext } from '@f2f/messaging';

import type { WebhookDeliveriesRepository } from '../deliveries/webhook-deliveries.repository';
import type { WebhookEndpointsRepository } from '../endpoints/webhook-endpoints.repository';

import { webhookEventBody } from './webhook-event';

/**
 * An edit history entry (edit.status) becomes one PENDING delivery per endpoint of its tenant that
 * is enabled, wants its type and existed when it happened, in the transaction of the inbox record:
 * a redelivered event writes nothing twice. Returns how many deliveries were written.
 */
export class RecordDeliveriesUseCase {
  constructor(
    private readonly endpoints: WebhookEndpointsRepository,
    private readonly deliveries: WebhookDeliveriesRepository,
  ) {}

  async execute(event: EventEnvelope<Topic.EditStatus>, ctx: HandlerContext<Tx>): Promise<number> {
    const made = webhookEventBody(event);
    if (!made) return 0;
    const tenantId = asTenantId(event.tenantId);
    const written = await ctx.transaction(async (tx) => {
      const endpoints = await this.endpoints.subscribedTo(
        tx,
        tenantId,
        made.type,
        new Date(event.occurredAt),
      );
      return this.deliveries.createForEvent(
        tx,
        tenantId,
        endpoints.map((e) => ({
          endpointId: e.id,
          eventId: event.eventId,
          eventType: made.type,
          editId: event.editId,
          body: made.body,
        })),
      );
    });
    if (written)
      ctx.logger.debug({ deliveries: written, eventType: made.type }, 'webhook deliveries recorded');
    return written ?? 0;
  }
}
