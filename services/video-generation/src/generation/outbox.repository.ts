import type { EventEnvelope, Topic } from '@f2f/contracts';
import type { PrismaClient } from '../database';
import type { OutboxWriter } from '@f2f/messaging';

/**
 * Events announced outside a consumed event's transaction (progress while a video is generated):
 * each call commits its events to the outbox on its own.
 */
export interface OutboxRepository {
  publish(...events: EventEnvelope<Topic>[]): Promise<void>;
}
export const OUTBOX_REPOSITORY = Symbol('OutboxRepository');

export class PrismaOutboxRepository implements OutboxRepository {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly outbox: OutboxWriter,
  ) {}

  async publish(...events: EventEnvelope<Topic>[]): Promise<void> {
    await this.prisma.$transaction((tx) => this.outbox.enqueue(tx, ...events));
  }
}
