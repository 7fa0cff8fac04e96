import { type EventEnvelope, type FrameRef, Topic } from '@f2f/contracts';
import type { HandlerContext } from '@f2f/messaging';
import { Injectable } from '@nestjs/common';

import { FrameMeasurer } from './frame-measurer';
import { LandedFrames } from './landed-frames';

type CaptionCompleted = EventEnvelope<Topic.CaptionCompleted>;
type VideoProgress = EventEnvelope<Topic.VideoProgress>;
type Landed = FrameRef & { width: number; height: number; sha256: string };

/**
 * caption.completed older than this is not remembered: a consumer replaying the topic (a new group,
 * the first start of this version) would otherwise measure long-finished edits' frames again.
 */
export const FRESH_FOR_MS = 15 * 60_000;

const measurable = (frame: FrameRef): frame is Landed =>
  frame.width !== undefined && frame.height !== undefined && frame.sha256 !== undefined;

/**
 * Frames measured as they land, while the rest of the video is still being generated: caption.completed
 * says what an edit's frames are compared with, each video.progress names the frames stored since the
 * last one, and their metrics wait in LandedFrames for video.generated, which then measures only the
 * frames not measured yet. Only an optimisation (nothing is written and nothing is announced here): a
 * failure is logged and the frames are measured with the others after video.generated.
 */
@Injectable()
export class MeasureLandedFramesUseCase {
  constructor(
    private readonly measurer: FrameMeasurer,
    private readonly landed: LandedFrames,
  ) {}

  /** Remembers what the edit's frames are compared with; an old event (a replay) is not worth it. */
  remember(event: CaptionCompleted, now = Date.now()): void {
    if (now - Date.parse(event.occurredAt) > FRESH_FOR_MS) return;
    const { sourceKey, groundTruthKey, targetCaption } = event.payload;
    this.landed.plan(event.tenantId, event.editId, { sourceKey, groundTruthKey, targetCaption });
  }

  async execute(event: VideoProgress, ctx: HandlerContext): Promise<void> {
    const frames = event.payload.frames.filter(measurable);
    if (frames.length === 0) return;
    const references = this.landed.referencesOf(event.tenantId, event.editId);
    if (!references) return; // caption.completed went to another replica or before a restart
    const { width, height } = frames[0];
    try {
      const series = await this.measurer.exclusive(async () => {
        // video.generated may have taken the edit while this waited: it measures these frames itself.
        if (!this.landed.referencesOf(event.tenantId, event.editId)) return [];
        return this.measurer.measure({ editId: event.editId, width, height, ...references }, frames);
      }, ctx.heartbeat);
      this.landed.measured(
        event.tenantId,
        event.editId,
        series.map((metrics, i) => ({ sha256: frames[i].sha256, metrics })),
      );
    } catch (error) {
      ctx.logger.warn(
        { err: error, frames: frames.length },
        'frames not measured as they landed (video.generated will)',
      );
    }
  }
}
