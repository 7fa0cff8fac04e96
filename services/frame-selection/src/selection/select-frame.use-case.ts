import { type EventEnvelope, makeEnvelope, Topic } from '@f2f/contracts';
import { type HandlerContext, OutboxWriter } from '@f2f/messaging';
import { Injectable } from '@nestjs/common';

export type SelectionPolicy = 'last-frame';

export interface SelectionDecision {
  candidate: number;
  frameIndex: number;
  frameId: string;
  policy: SelectionPolicy;
  reason: string;
}

/**
 * The paper's "last frame" baseline (Table S5): the final frame of the first candidate's path. The
 * VLM selection over a collage (paper 3.3), across candidates, replaces it as the default later.
 */
export function selectLastFrame(
  frames: EventEnvelope<Topic.VideoGenerated>['payload']['frames'],
): SelectionDecision {
  const first = Math.min(...frames.map((f) => f.candidate));
  const path = frames.filter((f) => f.candidate === first);
  const last = path.reduce((a, b) => (b.index > a.index ? b : a));
  return {
    candidate: last.candidate,
    frameIndex: last.index,
    frameId: last.frameId,
    policy: 'last-frame',
    reason: `last-frame policy: the final frame (${last.index}) of the ${path.length} frames of candidate ${last.candidate}`,
  };
}

/** video.generated -> a decision, stored -> frame.selected. */
@Injectable()
export class SelectFrameUseCase {
  constructor(private readonly outbox: OutboxWriter) {}

  async execute(
    event: EventEnvelope<Topic.VideoGenerated>,
    ctx: Pick<HandlerContext, 'transaction' | 'logger'>,
  ): Promise<void> {
    const decision = selectLastFrame(event.payload.frames);
    await ctx.transaction(async (tx) => {
      await tx.selection.create({ data: { editId: event.editId, tenantId: event.tenantId, ...decision } });
      await this.outbox.enqueue(
        tx,
        makeEnvelope({
          type: Topic.FrameSelected,
          editId: event.editId,
          tenantId: event.tenantId,
          cause: event,
          payload: decision,
        }),
      );
    });
    ctx.logger.info({ frameIndex: decision.frameIndex, policy: decision.policy }, 'frame selected');
  }
}
