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

/** Which entries a listener wants: one tenant's, or one edit's of that tenant. */
export interface FeedScope {
  tenantId: string;
  editId?: string;
}

const scopeKey = (tenantId: string, editId = '') => `${tenantId}\u0000${editId}`;

/**
 * The live feed of every edit, from the status topic (the edits service announces each history
 * entry there). Each gateway replica follows it in a consumer group of its own, from the latest
 * offset: what a client missed before it subscribed comes from the history (Edit.updates).
 */
export class EditFeed {
  /**
   * Listeners by scope: an entry goes to its edit's and its tenant's listeners only, so that
   * delivering it costs the same with ten subscribers or thousands on other edits.
   */
  private readonly listeners = new Map<string, Set<Listener>>();
  private count = 0;
  private consumer: Consumer | undefined;

  constructor(
    private readonly kafka: Kafka,
    private readonly topicPrefix: string,
    private readonly logger: Logger,
  ) {}

  /** Registers a listener for the entries of a scope; returns the function that removes it. */
  listen(scope: FeedScope, listener: Listener): () => void {
    const key = scopeKey(scope.tenantId, scope.editId);
    let set = this.listeners.get(key);
    if (!set) this.listeners.set(key, (set = new Set()));
    set.add(listener);
    this.count++;
    return () => {
      if (!set.delete(listener)) return;
      this.count--;
      if (set.size === 0 && this.listeners.get(key) === set) this.listeners.delete(key);
    };
  }

  get listenerCount(): number {
    return this.count;
  }

  /** Hands an entry to the listeners of its edit and of its tenant. */
  dispatch(entry: FeedEntry): void {
    for (const key of [scopeKey(entry.tenantId, entry.editId), scopeKey(entry.tenantId)]) {
      const set = this.listeners.get(key);
      if (set) for (const listener of [...set]) listener(entry);
    }
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
            listeners: this.count,
          },
          'feed entry',
        );
        this.dispatch(entry);
      },
    });
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }
}
