import { EventEmitter } from 'node:events';

import { createLogger } from '@f2f/common';
import { Topic } from '@f2f/contracts';
import type { Kafka } from 'kafkajs';

import { EventConsumer } from '../consumer';

/**
 * kafkajs restarts a crashed consumer only after a retriable error; after another one (a broker
 * restart can give "Failed to find group coordinator") it stays down. The EventConsumer then starts
 * a new one. The Kafka client is replaced here at its boundary: a broker cannot be made to answer
 * exactly that on demand.
 */
class FakeConsumer extends EventEmitter {
  readonly events = { CRASH: 'consumer.crash' };
  connected = 0;
  running = 0;
  async connect() {
    this.connected++;
  }
  async subscribe() {}
  async run() {
    this.running++;
  }
  async disconnect() {}
  crash(restart: boolean) {
    this.emit(this.events.CRASH, {
      payload: { error: new Error('Failed to find group coordinator'), restart },
    });
  }
}

function setup() {
  const consumers: FakeConsumer[] = [];
  const kafka = {
    consumer: () => {
      const c = new FakeConsumer();
      consumers.push(c);
      return c;
    },
  } as unknown as Kafka;
  const consumer = new EventConsumer(
    kafka,
    {} as never,
    {} as never,
    {} as never,
    createLogger('test', 'silent'),
    {
      consumerName: 'test',
      topicPrefix: 't.',
    },
  ).on(Topic.VideoGenerated, async () => undefined);
  return { consumer, consumers };
}

describe('EventConsumer after kafkajs gives up on a consumer', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('starts a new consumer after a crash kafkajs will not restart', async () => {
    const { consumer, consumers } = setup();
    await consumer.start();
    expect(consumers).toHaveLength(1);
    consumers[0].crash(false);
    await jest.advanceTimersByTimeAsync(1_000);
    expect(consumers).toHaveLength(2);
    expect(consumers[1].running).toBe(1);
  });

  it('leaves a crash kafkajs restarts itself to kafkajs, and restarts nothing once stopped', async () => {
    const { consumer, consumers } = setup();
    await consumer.start();
    consumers[0].crash(true);
    await jest.advanceTimersByTimeAsync(60_000);
    expect(consumers).toHaveLength(1);
    await consumer.stop();
    consumers[0].crash(false);
    await jest.advanceTimersByTimeAsync(60_000);
    expect(consumers).toHaveLength(1);
  });
});
