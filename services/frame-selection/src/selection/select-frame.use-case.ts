import type { Tx } from '../database';
import {
  type EventEnvelope,
  type EventPayloads,
  makeEnvelope,
  type SelectionPolicy,
  Topic,
  vlmUsageOf,
} from '@f2f/contracts';
import { type HandlerContext, OutboxWriter } from '@f2f/messaging';
import { BLOB_STORE } from '@f2f/platform';
import type { BlobStore } from '@f2f/storage';
import { askFrameSelection, type VisionLanguageModel, VLM, type VlmCallRecord, VlmDirectory } from '@f2f/vlm';
import { Inject, Injectable, Optional } from '@nestjs/common';

import { SELECTIONS, type SelectionsRepository } from '../persistence/selections.repository';

import { buildCollage, collageFrameIndices } from './collage';
import { METRIC_POLICY, type MetricPolicyOptions, selectByMetrics } from './metric-policy';
import { FRAME_SELECTION_PROMPT_VERSION } from './selection.prompt';

type FrameRef = EventPayloads[Topic.VideoGenerated]['frames'][number];

export interface SelectionDecision {
  candidate: number | null;
  frameIndex: number | null;
  frameId: string | null;
  policy: SelectionPolicy;
  reason: string;
}

interface Outcome {
  decision: SelectionDecision;
  fallbackReason: string | null;
  calls: VlmCallRecord[];
  collageKeys: string[];
}

/**
 * The paper's "last frame" baseline (Table S5): the final frame of the first candidate's path.
 */
export function selectLastFrame(
  frames: Pick<FrameRef, 'candidate' | 'index' | 'frameId'>[],
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

/** An answer that cannot be read is asked again once before the selection falls back. */
const MAX_VLM_ATTEMPTS = 2;

/**
 * video.generated -> the edited frame -> frame.selected. Policy "vlm" (the paper, 3.3 and C.1):
 * per candidate, a collage of the source above every fourth frame numbered 1..12 goes to the VLM
 * with the paper's instruction; "The selected edit is:x" is parsed strictly; 0 means no frame
 * fulfils the edit (the result is the source image). Across candidates the earliest fulfilling
 * frame wins. An unreadable answer is asked again once; a VLM that still fails, or none configured,
 * falls back to the last frame and says so. Collages, raw answers and the decision are kept.
 */
@Injectable()
export class SelectFrameUseCase {
  constructor(
    private readonly outbox: OutboxWriter,
    @Inject(SELECTIONS) private readonly selections: SelectionsRepository,
    @Inject(BLOB_STORE) private readonly blobs: BlobStore,
    @Inject(METRIC_POLICY) private readonly metricPolicy: MetricPolicyOptions,
    @Optional() @Inject(VLM) private readonly vlms: VlmDirectory = VlmDirectory.single(null),
  ) {}

  async execute(event: EventEnvelope<Topic.VideoGenerated>, ctx: HandlerContext<Tx>): Promise<void> {
    // The metric policy needs every frame's metrics: it decides on metrics.computed instead.
    if (event.payload.selection === 'metric') return;
    if (await ctx.alreadyHandled()) return;
    const calls: VlmCallRecord[] = [];
    const collageKeys: string[] = [];
    let decision: SelectionDecision;
    let fallbackReason: string | null = null;
    if (event.payload.selection === 'last-frame') {
      decision = selectLastFrame(event.payload.frames);
    } else if (!this.vlms.forTenant(event.tenantId)) {
      fallbackReason = 'no VLM configured';
      decision = {
        ...selectLastFrame(event.payload.frames),
        reason: 'vlm policy without a VLM: the last frame instead',
      };
    } else {
      const vlm = this.vlms.forTenant(event.tenantId)!;
      const outcome = await this.selectWithVlm(event, vlm, calls, collageKeys);
      if ('fallbackReason' in outcome) {
        fallbackReason = outcome.fallbackReason;
        decision = {
          ...selectLastFrame(event.payload.frames),
          reason: `VLM selection failed (${outcome.fallbackReason}): the last frame instead`,
        };
      } else {
        decision = outcome;
      }
    }
    await this.record(event, { decision, fallbackReason, calls, collageKeys }, ctx);
  }

  /**
   * metrics.computed of an edit with the metric policy -> the earliest frame whose CLIP score
   * reaches its path's plateau while LPIPS to the source stays under the bound (metric-policy.ts).
   * Without learned metrics (no models configured) it falls back to the last frame and says so.
   */
  async executeMetric(event: EventEnvelope<Topic.MetricsComputed>, ctx: HandlerContext<Tx>): Promise<void> {
    if (event.payload.selection !== 'metric') return;
    if (await ctx.alreadyHandled()) return;
    const { series } = event.payload;
    const metric = selectByMetrics(series, this.metricPolicy);
    let decision: SelectionDecision;
    let fallbackReason: string | null = null;
    if (metric.kind === 'frame') {
      const { kind: _kind, ...chosen } = metric;
      decision = { ...chosen, policy: 'metric' };
    } else if (metric.kind === 'no-edit') {
      decision = {
        candidate: null,
        frameIndex: null,
        frameId: null,
        policy: 'metric',
        reason: metric.reason,
      };
    } else {
      fallbackReason = metric.reason;
      decision =
        series.length > 0
          ? {
              ...selectLastFrame(series),
              reason: `metric policy unavailable (${metric.reason}): the last frame instead`,
            }
          : { candidate: null, frameIndex: null, frameId: null, policy: 'metric', reason: metric.reason };
    }
    await this.record(event, { decision, fallbackReason, calls: [], collageKeys: [] }, ctx);
  }

  /**
   * The decision, its VLM calls and its frame.selected event (with the calls' usage), in the
   * transaction of the inbox record.
   */
  private async record(
    event: EventEnvelope<Topic.VideoGenerated | Topic.MetricsComputed>,
    { decision, fallbackReason, calls, collageKeys }: Outcome,
    ctx: HandlerContext<Tx>,
  ): Promise<void> {
    await ctx.transaction(async (tx) => {
      await this.selections.save(
        tx,
        {
          editId: event.editId,
          tenantId: event.tenantId,
          ...decision,
          collageKeys,
          vlmModel: calls.find((c) => c.outcome === 'ok')?.model ?? null,
          promptVersion: calls.length > 0 ? FRAME_SELECTION_PROMPT_VERSION : null,
          rawAnswers: calls.map((c) => c.answer ?? c.error ?? ''),
          fallbackReason,
        },
        calls.map((c) => ({
          ...c,
          tenantId: event.tenantId,
          editId: event.editId,
          purpose: 'frame-selection',
          promptVersion: FRAME_SELECTION_PROMPT_VERSION,
        })),
      );
      await this.outbox.enqueue(
        tx,
        makeEnvelope({
          type: Topic.FrameSelected,
          editId: event.editId,
          tenantId: event.tenantId,
          cause: event,
          payload: { ...decision, collageKeys, usage: vlmUsageOf(calls) },
        }),
      );
    });
    ctx.logger.info({ ...decision, fallbackReason }, 'frame selected');
  }

  private async selectWithVlm(
    event: EventEnvelope<Topic.VideoGenerated>,
    vlm: VisionLanguageModel,
    calls: VlmCallRecord[],
    collageKeys: string[],
  ): Promise<SelectionDecision | { fallbackReason: string }> {
    const { frames, targetCaption, sourceKey } = event.payload;
    const source = await this.blobs.get(sourceKey);
    const candidates = [...new Set(frames.map((f) => f.candidate))].sort((a, b) => a - b);
    const picks: { candidate: number; frame: FrameRef | null; answer: number }[] = [];
    for (const candidate of candidates) {
      const path = frames.filter((f) => f.candidate === candidate).sort((a, b) => a.index - b.index);
      const shown = collageFrameIndices(path.length).map((i) => path[i]);
      const collage = await buildCollage(
        source,
        await Promise.all(shown.map((f) => this.blobs.get(f.losslessBlobKey ?? f.blobKey))),
      );
      const key = `tenants/${event.tenantId}/edits/${event.editId}/candidates/${candidate}/collage.png`;
      await this.blobs.put(key, collage, 'image/png');
      collageKeys.push(key);
      const number = await this.ask(vlm, targetCaption, collage, shown.length, calls);
      if (typeof number !== 'number') return { fallbackReason: `candidate ${candidate}: ${number.problem}` };
      picks.push({ candidate, frame: number === 0 ? null : shown[number - 1], answer: number });
    }
    const fulfilled = picks
      .filter((p) => p.frame !== null)
      .sort((a, b) => a.frame!.index - b.frame!.index || a.candidate - b.candidate);
    const summary = picks.map((p) => `candidate ${p.candidate}: ${p.answer}`).join(', ');
    if (fulfilled.length === 0) {
      return {
        candidate: null,
        frameIndex: null,
        frameId: null,
        policy: 'vlm',
        reason: `VLM: no frame fulfils the edit (${summary}); the result is the source image`,
      };
    }
    const best = fulfilled[0];
    return {
      candidate: best.candidate,
      frameIndex: best.frame!.index,
      frameId: best.frame!.frameId,
      policy: 'vlm',
      reason: `VLM chose image ${best.answer} (frame ${best.frame!.index}) of candidate ${best.candidate} (${summary})`,
    };
  }

  private async ask(
    vlm: VisionLanguageModel,
    targetCaption: string,
    collage: Buffer,
    count: number,
    calls: VlmCallRecord[],
  ): Promise<number | { problem: string }> {
    const answer = await askFrameSelection(vlm, targetCaption, collage, count, calls, MAX_VLM_ATTEMPTS);
    return answer.ok
      ? answer.value
      : { problem: answer.problem.replace(/^invalid answer/, 'unreadable answer') };
  }
}
