import { Topic } from '@f2f/contracts';
import { EventConsumer } from '@f2f/messaging';
import { Injectable, type OnModuleInit } from '@nestjs/common';

import { LosslessFrames } from '../lossless-frames/lossless-frames';
import { PathVideoWorker } from '../path-videos/path-video.worker';
import { RecordStageEventUseCase } from './record-stage-event.use-case';

/** The stage events the edits service follows. */
@Injectable()
export class StageEventsHandler implements OnModuleInit {
  constructor(
    private readonly consumer: EventConsumer,
    private readonly useCase: RecordStageEventUseCase,
    private readonly pathVideos: PathVideoWorker,
    private readonly losslessFrames: LosslessFrames,
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
      // Either of these may finish the edit: then only the result keeps its lossless copy.
      .on(Topic.FrameSelected, (e, ctx) => this.recordThenPrune(e, ctx))
      .on(Topic.MetricsComputed, (e, ctx) => this.recordThenPrune(e, ctx))
      .on(Topic.EditFailed, (e, ctx) => this.recordThenPrune(e, ctx));
  }

  private async recordThenPrune(...[event, ctx]: Parameters<RecordStageEventUseCase['execute']>) {
    await this.useCase.execute(event, ctx);
    this.losslessFrames.pruneInBackground(event.tenantId, event.editId);
  }
}
