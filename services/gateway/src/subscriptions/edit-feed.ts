import { randomUUID } from 'node:crypto';

import type { Logger } from '@f2f/common';
import { decodeEnvelope, editUpdateView, type EditUpdateView, Topic, topicName } from '@f2f/contracts';
import { ensureTopics } from '@f2f/messaging';
import type { Consumer, Kafka } from 'kafkajs';

/** One entry of the live feed, as subscriptions deliver it. */
export interface FeedEntry {
  tenantId: string;
  editId: string;
  update: EditUpdateView;
}

type Listener = (entry: FeedEntry) => void;

/**
 * The live feed of every edit, from the status topic (the edits service announces each history
 * entry there). Each gateway replica follows it in a consumer group of its own, from the latest
 * offset: what a client missed before it subscribed comes from the history (Edit.updates).
 */
export class EditFeed {
  private readonly listeners = new Set<Listener>();
  private consumer: Consumer | undefined;

  constructor(
    private readonly kafka: Kafka,
    private readonly topicPrefix: string,
    private readonly logger: Logger,
  ) {}

  /** Registers a listener; returns the function that removes it. */
  listen(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get listenerCount(): number {
    return this.listeners.size;
  }

  async start(): Promise<void> {
    // The topic must exist before the group joins: a consumer that subscribes to a missing topic is
    // assigned nothing until its metadata refreshes (minutes), and would miss the feed until then.
    await ensureTopics(this.kafka, this.topicPrefix);
    const consumer = this.kafka.consumer({ groupId: `${this.topicPrefix}gateway-feed-${randomUUID()}` });
    this.consumer = consumer;
    await consumer.connect();
    await consumer.subscribe({ topic: topicName(this.topicPrefix, Topic.EditStatus), fromBeginning: false });
    await consumer.run({
      eachMessage: async ({ message }) => {
        let entry: FeedEntry;
        try {
          const event = decodeEnvelope(message.value);
          if (event.type !== Topic.EditStatus || !event.payload.update) return;
          entry = {
            tenantId: event.tenantId,
            editId: event.editId,
            update: editUpdateView(event.editId, event.payload.update),
          };
        } catch (error) {
          // A malformed event is the producer's bug: the feed skips it rather than stopping.
          this.logger.warn({ err: error }, 'skipped an unreadable edit.status event');
          return;
        }
        this.logger.debug(
          {
            editId: entry.editId,
            tenantId: entry.tenantId,
            seq: entry.update.seq,
            listeners: this.listeners.size,
          },
          'feed entry',
        );
        for (const listener of this.listeners) listener(entry);
      },
    });
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }
}
