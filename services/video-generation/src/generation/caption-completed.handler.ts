import { Topic } from '@f2f/contracts';
import { EventConsumer } from '@f2f/messaging';
import { Injectable, type OnModuleInit } from '@nestjs/common';

import { GenerateVideoUseCase } from './generate-video.use-case';

@Injectable()
export class CaptionCompletedHandler implements OnModuleInit {
  constructor(
    private readonly consumer: EventConsumer,
    private readonly useCase: GenerateVideoUseCase,
  ) {}

  onModuleInit(): void {
    this.consumer.on(Topic.CaptionCompleted, (event, ctx) => this.useCase.execute(event, ctx));
  }
}
