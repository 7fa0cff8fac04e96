import { Topic } from '@f2f/contracts';
import { EventConsumer } from '@f2f/messaging';
import { Injectable, type OnModuleInit } from '@nestjs/common';

import { WriteTemporalCaptionUseCase } from './write-temporal-caption.use-case';

/** Kafka transport: edit.requested events to the use case. */
@Injectable()
export class EditRequestedHandler implements OnModuleInit {
  constructor(
    private readonly consumer: EventConsumer,
    private readonly useCase: WriteTemporalCaptionUseCase,
  ) {}

  onModuleInit(): void {
    this.consumer.on(Topic.EditRequested, (event, ctx) => this.useCase.execute(event, ctx));
  }
}
