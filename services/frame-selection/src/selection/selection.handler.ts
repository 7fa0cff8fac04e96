import { Topic } from '@f2f/contracts';
import { EventConsumer } from '@f2f/messaging';
import { Injectable, type OnModuleInit } from '@nestjs/common';

import { SelectFrameUseCase } from './select-frame.use-case';

@Injectable()
export class SelectionHandler implements OnModuleInit {
  constructor(
    private readonly consumer: EventConsumer,
    private readonly useCase: SelectFrameUseCase,
  ) {}

  onModuleInit(): void {
    this.consumer
      .on(Topic.VideoGenerated, (event, ctx) => this.useCase.execute(event, ctx))
      .on(Topic.MetricsComputed, (event, ctx) => this.useCase.executeMetric(event, ctx));
  }
}
