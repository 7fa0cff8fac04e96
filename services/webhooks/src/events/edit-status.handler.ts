import { Topic } from '@f2f/contracts';
import { EventConsumer } from '@f2f/messaging';
import { Injectable, type OnModuleInit } from '@nestjs/common';

import { WebhookDispatcher } from '../dispatch/webhook-dispatcher';

import { RecordDeliveriesUseCase } from './record-deliveries.use-case';

/** Kafka transport: every edit history entry (edit.status) to the deliveries it makes; wakes the dispatcher. */
@Injectable()
export class EditStatusHandler implements OnModuleInit {
  constructor(
    private readonly consumer: EventConsumer,
    private readonly useCase: RecordDeliveriesUseCase,
    private readonly dispatcher: WebhookDispatcher,
  ) {}

  onModuleInit(): void {
    this.consumer.on(Topic.EditStatus, async (event, ctx) => {
      if ((await this.useCase.execute(event, ctx)) > 0) this.dispatcher.wake();
    });
  }
}
