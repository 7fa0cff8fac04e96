import type { Tx } from '../database';
import { type EventEnvelope, makeEnvelope, Topic, vlmUsageOf } from '@f2f/contracts';
import { type HandlerContext, OutboxWriter } from '@f2f/messaging';
import { BLOB_STORE } from '@f2f/platform';
import type { BlobStore } from '@f2f/storage';
import { askChecked, VLM, type VlmCallRecord, VlmDirectory } from '@f2f/vlm';
import { Inject, Injectable, Optional } from '@nestjs/common';
import sharp from 'sharp';

import { CaptionExamplesService, type ExampleSet } from '../examples/caption-examples.service';
import { CAPTIONS, type CaptionsRepository } from '../persistence/captions.repository';
import { templateTemporalCaption } from './template-caption';
import {
  checkTemporalCaption,
  TEMPORAL_CAPTION_PROMPT_VERSION,
  temporalCaptionMessages,
} from './temporal-caption.prompt';

/** Answers that fail the check are asked again once (paper 3.1 asks for one sentence, no "video"). */
const MAX_VLM_ATTEMPTS = 2;

interface Decision {
  text: string;
  provenance: 'template' | 'vlm' | 'target';
  vlmModel: string | null;
  /** project, paper-figures or tenant: the examples the prompt was built with; null when no VLM was asked. */
  exampleSet: ExampleSet['name'] | null;
  /** The prompt version of those examples; null when no VLM was asked. */
  promptVersion: string | null;
  attempts: number;
  fallbackReason: string | null;
}

/**
 * edit.requested -> a temporal editing caption -> caption.completed. With a VLM configured, the
 * paper's instruction and nine in-context examples with the source image (3.1, B.1); an answer that
 * is not one plain sentence is asked again once; a VLM that still fails (timeout, refusal, garbage)
 * never stalls the edit: the documented template caption is used and the reason recorded. Without
 * a VLM, or with captionMode "target" (the paper's ablation), no call is made.
 */
@Injectable()
export class WriteTemporalCaptionUseCase {
  constructor(
    private readonly outbox: OutboxWriter,
    @Inject(CAPTIONS) private readonly captions: CaptionsRepository,
    @Inject(BLOB_STORE) private readonly blobs: BlobStore,
    private readonly examples: CaptionExamplesService,
    @Optional() @Inject(VLM) private readonly vlms: VlmDirectory = VlmDirectory.single(null),
  ) {}

  async execute(event: EventEnvelope<Topic.EditRequested>, ctx: HandlerContext<Tx>): Promise<void> {
    if (await ctx.alreadyHandled()) return;
    const { targetCaption, sourceKey, sourceWidth, sourceHeight, groundTruthKey, options } = event.payload;
    const calls: VlmCallRecord[] = [];
    const decision = await this.decide(event, calls);
    const usage = vlmUsageOf(calls);
    await ctx.transaction(async (tx) => {
      await this.captions.save(
        tx,
        {
          editId: event.editId,
          tenantId: event.tenantId,
          targetCaption,
          text: decision.text,
          provenance: decision.provenance,
          vlmModel: decision.vlmModel,
          exampleSet: decision.exampleSet,
          promptVersion: decision.provenance === 'vlm' ? decision.promptVersion : null,
          attempts: decision.attempts,
          fallbackReason: decision.fallbackReason,
        },
        calls.map((c) => ({
          ...c,
          tenantId: event.tenantId,
          editId: event.editId,
          purpose: 'temporal-caption',
          promptVersion: decision.promptVersion ?? TEMPORAL_CAPTION_PROMPT_VERSION,
        })),
      );
      await this.outbox.enqueue(
        tx,
        makeEnvelope({
          type: Topic.CaptionCompleted,
          editId: event.editId,
          tenantId: event.tenantId,
          cause: event,
          payload: {
            temporalCaption: decision.text,
            provenance: decision.provenance,
            usage,
            targetCaption,
            sourceKey,
            sourceWidth,
            sourceHeight,
            groundTruthKey,
            options,
          },
        }),
      );
    });
    ctx.logger.info(
      { caption: decision.text, provenance: decision.provenance, fallbackReason: decision.fallbackReason },
      'temporal caption written',
    );
  }

  private async decide(event: EventEnvelope<Topic.EditRequested>, calls: VlmCallRecord[]): Promise<Decision> {
    const { targetCaption, options, sourceKey } = event.payload;
    const template = (fallbackReason: string | null): Decision => ({
      text: templateTemporalCaption(targetCaption),
      provenance: 'template',
      vlmModel: null,
      exampleSet: calls.length > 0 ? (examples?.name ?? null) : null,
      promptVersion: calls.length > 0 ? (examples?.promptVersion ?? null) : null,
      attempts: calls.length,
      fallbackReason,
    });
    let examples: ExampleSet | null = null;
    if (options.captionMode === 'target') {
      return {
        text: targetCaption,
        provenance: 'target',
        vlmModel: null,
        exampleSet: null,
        promptVersion: null,
        attempts: 0,
        fallbackReason: null,
      };
    }
    const vlm = this.vlms.forTenant(event.tenantId);
    if (!vlm) return template(null);
    examples = await this.examples.exampleSetFor(event.tenantId);
    const source = await sharp(await this.blobs.get(sourceKey))
      .rotate()
      .resize(1024, 1024, { fit: 'inside', withoutEnlargement: true })
      .jpeg({ quality: 90 })
      .toBuffer();
    const answer = await askChecked(
      vlm,
      {
        purpose: 'temporal-caption',
        promptVersion: examples.promptVersion,
        messages: temporalCaptionMessages(
          targetCaption,
          { data: source, mime: 'image/jpeg' },
          examples.examples,
        ),
        maxTokens: 120,
      },
      (text) => {
        const check = checkTemporalCaption(text);
        return check.ok ? { ok: true, value: check.caption } : check;
      },
      calls,
      MAX_VLM_ATTEMPTS,
    );
    if (answer.ok) {
      return {
        text: answer.value,
        provenance: 'vlm',
        vlmModel: answer.model,
        exampleSet: examples.name,
        promptVersion: examples.promptVersion,
        attempts: calls.length,
        fallbackReason: null,
      };
    }
    return template(`VLM failed after ${calls.length} call(s): ${answer.problem}`.slice(0, 2000));
  }
}
