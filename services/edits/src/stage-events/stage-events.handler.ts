import { Topic } from '@f2f/contracts';
import { EventConsumer } from '@f2f/messaging';
import { Injectable, type OnModuleInit } from '@nestjs/common';

import { PathVideoWorker } from '../path-videos/path-video.worker';
import { RecordStageEventUseCase } from './record-stage-event.use-case';

/** The stage events the edits service follows. */
@Injectable()
export class StageEventsHandler implements OnModuleInit {
  constructor(
    private readonly consumer: EventConsumer,
    private readonly useCase: RecordStageEventUseCase,
    private readonly pathVideos: PathVideoWorker,
  ) {}

  onModuleInit(): void {
    this.consumer
      .on(Topic.CaptionCompleted, (e, ctx) => this.useCase.execute(e, ctx))
      .on(Topic.VideoProgress, (e, ctx) => this.useCase.execute(e, ctx))
      .on(Topic.VideoGenerated, async (e, ctx) => {
        await this.useCase.execute(e, ctx);
        // Every frame is stored now: the path videos are made in the background.
        this.pathVideos.request(e.tenantId, e.editId);
      })
      .on(Topic.FrameSelected, (e, ctx) => this.useCase.execute(e, ctx))
      .on(Topic.MetricsComputed, (e, ctx) => this.useCase.execute(e, ctx))
      .on(Topic.EditFailed, (e, ctx) => this.useCase.execute(e, ctx));
  }
}
