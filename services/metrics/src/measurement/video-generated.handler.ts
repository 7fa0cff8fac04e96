import { Topic } from '@f2f/contracts';
import { EventConsumer } from '@f2f/messaging';
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';

import { MeasureFramesUseCase } from './measure-frames.use-case';
import { MeasureLandedFramesUseCase } from './measure-landed-frames.use-case';

/** Whether frames are measured as they land (MEASURE_FRAMES_AS_THEY_LAND). */
export const MEASURE_AS_THEY_LAND = Symbol('MeasureAsTheyLand');

/**
 * caption.completed (what the edit's frames are compared with) and video.progress (frames measured as
 * they land) prepare, unless turned off; video.generated measures what is left and announces
 * metrics.computed.
 */
@Injectable()
export class VideoGeneratedHandler implements OnModuleInit {
  constructor(
    private readonly consumer: EventConsumer,
    private readonly useCase: MeasureFramesUseCase,
    private readonly landed: MeasureLandedFramesUseCase,
    @Inject(MEASURE_AS_THEY_LAND) private readonly asTheyLand: boolean,
  ) {}

  onModuleInit(): void {
    if (this.asTheyLand) {
      this.consumer.on(Topic.CaptionCompleted, async (event) => this.landed.remember(event));
      this.consumer.on(Topic.VideoProgress, (event, ctx) => this.landed.execute(event, ctx));
    }
    this.consumer.on(Topic.VideoGenerated, (event, ctx) => this.useCase.execute(event, ctx));
  }
}
