import { createLogger } from '@f2f/common';
import type { EventEnvelope, Topic } from '@f2f/contracts';
import type { ServiceDatabase, SqlClient } from '@f2f/database';
import type { HandlerContext } from '@f2f/messaging';

/**
 * What the event consumer gives a handler, for tests that call a use case directly: the inbox
 * record of `consumer` in the transaction of the effects, as libs/messaging's EventConsumer does.
 */
export function inboxContext<Tx extends SqlClient>(
  db: ServiceDatabase<Tx>,
  consumer: string,
  event: EventEnvelope<Topic>,
): HandlerContext<Tx> {
  return {
    logger: createLogger('test', 'silent'),
    attempt: 1,
    heartbeat: async () => undefined,
    alreadyHandled: async () =>
      (
        await db.$queryRaw<unknown[]>`
          SELECT 1 FROM processed_events WHERE consumer = ${consumer} AND event_id = ${event.eventId}::uuid`
      ).length > 0,
    transaction: (work) =>
      db.$transaction(async (tx) => {
        const inserted = await tx.$executeRaw`
          INSERT INTO processed_events (consumer, event_id) VALUES (${consumer}, ${event.eventId}::uuid)
          ON CONFLICT DO NOTHING`;
        return inserted === 0 ? undefined : work(tx);
      }),
  };
}
