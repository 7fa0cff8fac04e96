import { Topic } from '@f2f/contracts';
import { EventConsumer } from '@f2f/messaging';
import { Injectable, type OnModuleInit } from '@nestjs/common';

import { MeasureFramesUseCase } from './measure-frames.use-case';

@Injectable()
export class VideoGeneratedHandler implements OnModuleInit {
  constructor(
    private readonly consumer: EventConsumer,
    private readonly useCase: MeasureFramesUseCase,
  ) {}

  onModuleInit(): void {
    this.consumer.on(Topic.VideoGenerated, (event, ctx) => this.useCase.execute(event, ctx));
  }
}
