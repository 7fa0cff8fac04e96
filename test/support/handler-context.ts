import { createLogger } from '@f2f/common';
import type { EventEnvelope, Topic } from '@f2f/contracts';
import type { PrismaClient } from '@f2f/database';
import type { HandlerContext } from '@f2f/messaging';

/**
 * What the event consumer gives a handler, for tests that call a use case directly: the inbox
 * record of `consumer` in the transaction of the effects, as libs/messaging's EventConsumer does.
 */
export function inboxContext(
  prisma: PrismaClient,
  consumer: string,
  event: EventEnvelope<Topic>,
): HandlerContext {
  return {
    logger: createLogger('test', 'silent'),
    attempt: 1,
    heartbeat: async () => undefined,
    alreadyHandled: async () =>
      (await prisma.processedEvent.count({ where: { consumer, eventId: event.eventId } })) > 0,
    transaction: (work) =>
      prisma.$transaction(async (tx) => {
        const inserted = await tx.processedEvent.createMany({
          data: [{ consumer, eventId: event.eventId }],
          skipDuplicates: true,
        });
        return inserted.count === 0 ? undefined : work(tx);
      }),
  };
}
