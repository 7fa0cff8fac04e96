import { type EventEnvelope, editUpdateView, type Topic } from '@f2f/contracts';

/**
 * The JSON body POSTed to an endpoint for one entry of an edit's history (an edit.status event).
 * `id` is the event's id, the same on every attempt and redelivery: receivers deduplicate by it.
 * `data.update` has the shape of GraphQL's `EditUpdate` (the subscriptions' entries).
 */
export function webhookEventBody(
  event: EventEnvelope<Topic.EditStatus>,
): { type: string; body: string } | null {
  const update = event.payload.update;
  if (!update) return null;
  const body = {
    id: event.eventId,
    type: update.type,
    apiVersion: 1,
    createdAt: event.occurredAt,
    tenantId: event.tenantId,
    data: {
      editId: event.editId,
      status: event.payload.status,
      previousStatus: event.payload.previousStatus,
      update: editUpdateView(event.editId, update),
    },
  };
  return { type: update.type, body: JSON.stringify(body) };
}
