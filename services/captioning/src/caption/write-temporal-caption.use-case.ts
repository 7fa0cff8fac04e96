import { type EventEnvelope, makeEnvelope, Topic } from '@f2f/contracts';
import { OutboxWriter, type HandlerContext } from '@f2f/messaging';
import { Injectable } from '@nestjs/common';

import { templateTemporalCaption } from './template-caption';

/** edit.requested -> a temporal editing caption, stored with its provenance -> caption.completed. */
@Injectable()
export class WriteTemporalCaptionUseCase {
  constructor(private readonly outbox: OutboxWriter) {}

  async execute(
    event: EventEnvelope<Topic.EditRequested>,
    ctx: Pick<HandlerContext, 'transaction' | 'logger'>,
  ): Promise<void> {
    const { targetCaption, sourceKey, sourceWidth, sourceHeight, options } = event.payload;
    const temporalCaption = templateTemporalCaption(targetCaption);
    const provenance = 'template' as const;
    await ctx.transaction(async (tx) => {
      await tx.caption.create({
        data: {
          editId: event.editId,
          tenantId: event.tenantId,
          targetCaption,
          text: temporalCaption,
          provenance,
        },
      });
      await this.outbox.enqueue(
        tx,
        makeEnvelope({
          type: Topic.CaptionCompleted,
          editId: event.editId,
          tenantId: event.tenantId,
          cause: event,
          payload: {
            temporalCaption,
            provenance,
            targetCaption,
            sourceKey,
            sourceWidth,
            sourceHeight,
            options,
          },
        }),
      );
    });
    ctx.logger.info({ caption: temporalCaption }, 'temporal caption written');
  }
}
