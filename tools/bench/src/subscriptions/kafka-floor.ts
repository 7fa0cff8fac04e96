import { randomUUID } from 'node:crypto';

import { Topic, topicName } from '@f2f/contracts';
import type { Consumer, Kafka } from 'kafkajs';

/**
 * A plain kafkajs consumer of the status topic beside the gateway's (a group of its own, from the
 * latest offset): when each event reached a Kafka client at all, so that the benchmark can tell
 * the broker's share of the latency from the gateway's and the WebSocket's.
 */
export class KafkaFloor {
  private readonly arrivals = new Map<string, number>();
  private consumer: Consumer | undefined;

  constructor(
    private readonly kafka: Kafka,
    private readonly topicPrefix: string,
  ) {}

  static key(editId: string, seq: number): string {
    return `${editId}:${seq}`;
  }

  async start(): Promise<void> {
    const consumer = this.kafka.consumer({ groupId: `${this.topicPrefix}bench-floor-${randomUUID()}` });
    this.consumer = consumer;
    let joined = false;
    consumer.on(consumer.events.GROUP_JOIN, () => (joined = true));
    await consumer.connect();
    await consumer.subscribe({ topic: topicName(this.topicPrefix, Topic.EditStatus), fromBeginning: false });
    await consumer.run({
      eachMessage: ({ message }) => {
        const at = Date.now();
        const event = JSON.parse(message.value?.toString() ?? '{}') as {
          editId?: string;
          payload?: { seq?: number };
        };
        if (event.editId && event.payload?.seq)
          this.arrivals.set(KafkaFloor.key(event.editId, event.payload.seq), at);
        return Promise.resolve();
      },
    });
    for (const deadline = Date.now() + 60_000; !joined;) {
      if (Date.now() > deadline) throw new Error('the floor consumer did not join its group within 60 s');
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  arrival(editId: string, seq: number): number | undefined {
    return this.arrivals.get(KafkaFloor.key(editId, seq));
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }
}
