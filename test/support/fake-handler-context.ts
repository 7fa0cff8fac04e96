import { createLogger } from '@f2f/common';
import type { EventEnvelope, Topic } from '@f2f/contracts';
import { OutboxWriter } from '@f2f/messaging';

import type { HandlerContext } from '@f2f/messaging';

/**
 * A HandlerContext without a database, for unit tests of use cases with in-memory repositories:
 * `transaction(work)` runs `work(undefined as never)` once per event id, as the consumer's inbox
 * would (a redelivered event's work does not run again, and alreadyHandled() then says so).
 */
export function fakeHandlerContext(handled = new Set<string>()) {
  let heartbeats = 0;
  return {
    handled,
    get heartbeats() {
      return heartbeats;
    },
    for<Tx = never>(event: EventEnvelope<Topic>): HandlerContext<Tx> {
      return {
        logger: createLogger('test', 'silent'),
        attempt: 1,
        heartbeat: async () => {
          heartbeats++;
        },
        alreadyHandled: async () => handled.has(event.eventId),
        transaction: async (work) => {
          if (handled.has(event.eventId)) return undefined;
          const result = await work(undefined as never);
          handled.add(event.eventId);
          return result;
        },
      };
    },
  };
}

/** An OutboxWriter that keeps the events instead of writing outbox rows (the `tx` is ignored). */
export class RecordingOutbox extends OutboxWriter {
  readonly events: EventEnvelope<Topic>[] = [];

  constructor() {
    super('test', 'test.');
  }

  override async enqueue(_tx: unknown, ...events: EventEnvelope<Topic>[]): Promise<void> {
    this.events.push(...events);
  }

  of<T extends Topic>(type: T): EventEnvelope<T>[] {
    return this.events.filter((e): e is EventEnvelope<T> => e.type === type);
  }
}
