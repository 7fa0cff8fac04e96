import { randomUUID } from 'node:crypto';

import type { Logger } from '@f2f/common';
import { Topic } from '@f2f/contracts';
import type { PrismaClient } from '../database';
import { EventConsumer, OutboxWriter } from '@f2f/messaging';
import { KAFKA, KAFKA_PRODUCER, LOGGER, PLATFORM_CONFIG, type PlatformConfig, PRISMA } from '@f2f/platform';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Kafka, Producer } from 'kafkajs';

import { RunningGenerations } from './cancellations';

/**
 * Every replica follows edit.status in a consumer group of its own (a broadcast): whichever replica
 * runs an edit's generation sees the edit cancelled and stops the GPU work.
 */
@Injectable()
export class EditCancelledHandler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly consumer: EventConsumer;

  constructor(
    @Inject(KAFKA) kafka: Kafka,
    @Inject(KAFKA_PRODUCER) producer: Producer,
    @Inject(PRISMA) prisma: PrismaClient,
    @Inject(PLATFORM_CONFIG) config: PlatformConfig,
    @Inject(LOGGER) logger: Logger,
    outbox: OutboxWriter,
    private readonly running: RunningGenerations,
  ) {
    this.consumer = new EventConsumer(
      kafka,
      producer,
      prisma,
      outbox,
      logger.child({ component: 'cancellations' }),
      {
        consumerName: 'video-generation-cancellations',
        topicPrefix: config.topicPrefix,
        groupId: `${config.topicPrefix}video-generation-cancellations-${randomUUID()}`,
        fromBeginning: false,
      },
    ).on(Topic.EditStatus, async (event, ctx) => {
      if (event.payload.status !== 'CANCELLED') return;
      const stopped = this.running.cancel(event.editId);
      ctx.logger.info({ stopped }, 'edit cancelled');
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.consumer.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.consumer.stop();
  }
}
