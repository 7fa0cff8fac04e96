import { DomainError, ErrorCode } from '@f2f/common';
import { decodeFeedCursor, type EditUpdate, editUpdateView, encodeFeedCursor } from '@f2f/contracts';
import type { TenantId } from '@f2f/database';
import type { Edit, EditEvent, Frame } from '../database';
import { ActingKeyId, CurrentTenant, SIGNED_URLS, type SignedUrls } from '@f2f/platform';
import { Inject } from '@nestjs/common';
import { Args, Mutation, Parent, Query, ResolveField, ResolveReference, Resolver } from '@nestjs/graphql';

import { AnalyticsQuery } from '../analytics/analytics.query';
import { CancelEditUseCase } from '../cancel-edit/cancel-edit.use-case';
import { CreateEditCommand, type CreateEditInput } from '../create-edit/create-edit.command';
import {
  CreateEditUseCase,
  EDIT_LIMITS,
  type EditLimits,
  randomSeed,
} from '../create-edit/create-edit.use-case';
import { encodeCursor, type EditFilterInput, ListEditsQuery } from '../list-edits/list-edits.query';
import { LosslessFrames } from '../lossless-frames/lossless-frames';
import { AnalyticsRepository, type EditAnalytics } from '../persistence/analytics.repository';
import { EDITS_REPOSITORY, type EditsRepository } from '../persistence/edits';
import { RechooseFrameCommand } from '../rechoose-frame/rechoose-frame.command';
import { RechooseFrameUseCase, USER_POLICY } from '../rechoose-frame/rechoose-frame.use-case';
import { replayUpdates } from '../stage-events/edit-update';

/** A page of the listing; totalCount is counted only when a query asks for it. */
interface EditConnection {
  edges: { cursor: string; node: Edit }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  totalCount: () => Promise<number>;
}

@Resolver('Edit')
export class EditsResolver {
  constructor(
    @Inject(EDITS_REPOSITORY) private readonly edits: EditsRepository,
    private readonly createEdit: CreateEditUseCase,
    private readonly cancelEdit: CancelEditUseCase,
    private readonly rechooseFrame: RechooseFrameUseCase,
    private readonly analyticsRepository: AnalyticsRepository,
    @Inject(EDIT_LIMITS) private readonly limits: EditLimits,
    @Inject(SIGNED_URLS) private readonly urls: SignedUrls,
    private readonly losslessFrames: LosslessFrames,
  ) {}

  @Query('edit')
  edit(@CurrentTenant() tenantId: TenantId, @Args('id') id: string): Promise<Edit | null> {
    return this.edits.findEdit(tenantId, id);
  }

  @Query('edits')
  async list(
    @CurrentTenant() tenantId: TenantId,
    @Args('first') first: number | null,
    @Args('after') after: string | null,
    @Args('filter') filter: EditFilterInput | null,
  ): Promise<EditConnection> {
    const query = ListEditsQuery.create(tenantId, first, after, filter);
    const rows = await this.edits.listEdits(tenantId, query.filter, query.after, query.first + 1);
    const page = rows.slice(0, query.first);
    const edges = page.map((node) => ({ node, cursor: encodeCursor(node) }));
    return {
      edges,
      pageInfo: { hasNextPage: rows.length > query.first, endCursor: edges.at(-1)?.cursor ?? null },
      totalCount: () => this.edits.countEdits(tenantId, query.filter),
    };
  }

  @Query('analytics')
  async analytics(
    @CurrentTenant() tenantId: TenantId,
    @Args('from') from: string,
    @Args('to') to: string,
  ): Promise<EditAnalytics & { from: string; to: string }> {
    const query = AnalyticsQuery.create(tenantId, from, to);
    const figures = await this.analyticsRepository.analytics(tenantId, query.window);
    return { ...figures, from: query.window.from.toISOString(), to: query.window.to.toISOString() };
  }

  @Mutation('selectFrame')
  selectFrame(
    @CurrentTenant() tenantId: TenantId,
    @ActingKeyId() actor: string,
    @Args('editId') editId: string,
    @Args('frameId') frameId: string | null,
    @Args('source') source: boolean | null,
  ): Promise<Edit> {
    return this.rechooseFrame.execute(
      RechooseFrameCommand.create(tenantId, { editId, frameId, source }, actor),
    );
  }

  @Mutation('cancelEdit')
  cancel(@CurrentTenant() tenantId: TenantId, @Args('id') id: string): Promise<Edit> {
    return this.cancelEdit.execute(tenantId, id);
  }

  @Mutation('createEdit')
  create(@CurrentTenant() tenantId: TenantId, @Args('input') input: CreateEditInput): Promise<Edit> {
    return this.createEdit.execute(CreateEditCommand.create(tenantId, input, this.limits, randomSeed));
  }

  @ResolveReference()
  resolveReference(@Parent() ref: { id: string }, @CurrentTenant() tenantId: TenantId): Promise<Edit | null> {
    return this.edits.findEdit(tenantId, ref.id);
  }

  @ResolveField('options')
  options(@Parent() edit: Edit) {
    return {
      model: edit.model,
      frames: edit.frameCount,
      steps: edit.steps,
      guidance: edit.guidance,
      fps: edit.fps,
      seed: edit.seed,
      captionMode: edit.captionMode.toUpperCase(),
      selection: edit.selection.toUpperCase().replace(/-/g, '_'),
      candidates: edit.candidates,
      outputWidth: edit.outputWidth,
      outputHeight: edit.outputHeight,
    };
  }

  @ResolveField('source')
  source(@Parent() edit: Edit) {
    return {
      blobKey: edit.sourceKey,
      width: edit.sourceWidth,
      height: edit.sourceHeight,
      bytes: edit.sourceBytes,
      sha256: edit.sourceSha256,
      mimeType: edit.sourceMime,
    };
  }

  @ResolveField('groundTruthBlobKey')
  groundTruthBlobKey(@Parent() edit: Edit): string | null {
    return edit.groundTruthKey;
  }

  @ResolveField('sourceUrl')
  sourceUrl(@Parent() edit: Edit): string {
    return this.urls.fileUrl(edit.tenantId, edit.sourceKey);
  }

  @ResolveField('groundTruthUrl')
  groundTruthUrl(@Parent() edit: Edit): string | null {
    return edit.groundTruthKey ? this.urls.fileUrl(edit.tenantId, edit.groundTruthKey) : null;
  }

  /** The selected frame's URL, or the source's when no frame fulfils the edit; null until selected. */
  @ResolveField('resultUrl')
  async resultUrl(@Parent() edit: Edit): Promise<string | null> {
    if (edit.selectionPolicy === null) return null;
    if (edit.selectedFrameIndex === null) return this.urls.fileUrl(edit.tenantId, edit.sourceKey);
    const frame = await this.edits.frameAt(
      edit.tenantId as TenantId,
      edit.id,
      edit.selectedCandidate ?? 0,
      edit.selectedFrameIndex,
    );
    return frame ? this.urls.fileUrl(edit.tenantId, await this.losslessFrames.resultKey(frame)) : null;
  }

  @ResolveField('progress')
  progress(@Parent() edit: Edit) {
    return {
      step: edit.progressStep,
      totalSteps: edit.progressTotal,
      framesReady: edit.framesReady,
      totalFrames: edit.frameCount,
    };
  }

  @ResolveField('noEdit')
  noEdit(@Parent() edit: Edit): boolean {
    return edit.selectionPolicy !== null && edit.selectedFrameIndex === null;
  }

  @ResolveField('selection')
  selection(@Parent() edit: Edit) {
    if (edit.selectionPolicy === null) return null;
    const tenantId = edit.tenantId as TenantId;
    const frame = (candidate: number | null, index: number | null) =>
      index === null ? null : this.edits.frameAt(tenantId, edit.id, candidate ?? 0, index);
    const rechosen = edit.originalPolicy !== null;
    const original = rechosen
      ? {
          policy: edit.originalPolicy,
          reason: edit.originalReason,
          frame: () => frame(edit.originalCandidate, edit.originalFrameIndex),
          noEdit: edit.originalFrameIndex === null,
        }
      : {
          policy: edit.selectionPolicy,
          reason: edit.selectionReason,
          frame: () => frame(edit.selectedCandidate, edit.selectedFrameIndex),
          noEdit: edit.selectedFrameIndex === null,
        };
    return {
      policy: edit.selectionPolicy,
      reason: edit.selectionReason,
      frame: () => frame(edit.selectedCandidate, edit.selectedFrameIndex),
      noEdit: edit.selectedFrameIndex === null,
      chosenBy: edit.selectionPolicy === USER_POLICY ? edit.chosenBy : null,
      chosenAt: edit.selectionPolicy === USER_POLICY ? (edit.chosenAt?.toISOString() ?? null) : null,
      original,
      overridden:
        rechosen &&
        (edit.selectedCandidate !== edit.originalCandidate ||
          edit.selectedFrameIndex !== edit.originalFrameIndex),
    };
  }

  @ResolveField('failure')
  failure(@Parent() edit: Edit) {
    return edit.failureCode ? { code: edit.failureCode, reason: edit.failureReason ?? '' } : null;
  }

  @ResolveField('frames')
  frames(@Parent() edit: Edit, @Args('candidate') candidate?: number | null): Promise<Frame[]> {
    return this.edits.frames(edit.tenantId as TenantId, edit.id, candidate ?? undefined);
  }

  @ResolveField('selectedFrame')
  selectedFrame(@Parent() edit: Edit): Promise<Frame | null> | null {
    return edit.selectedFrameIndex === null
      ? null
      : this.edits.frameAt(
          edit.tenantId as TenantId,
          edit.id,
          edit.selectedCandidate ?? 0,
          edit.selectedFrameIndex,
        );
  }

  @ResolveField('history')
  async history(@Parent() edit: Edit) {
    const events: EditEvent[] = await this.edits.history(edit.tenantId as TenantId, edit.id);
    return events.map((e) => ({
      seq: e.seq,
      eventId: e.eventId,
      type: e.type,
      occurredAt: e.occurredAt.toISOString(),
      payload: JSON.stringify(e.payload),
    }));
  }

  /**
   * The tenant's feed after a position, each entry as it went out live (the status after it comes
   * from replaying its edit's history with the same state machine).
   */
  @Query('editUpdates')
  async editUpdates(
    @CurrentTenant() tenantId: TenantId,
    @Args('after') after: string,
    @Args('first') first: number | null,
  ) {
    const position = decodeFeedCursor(after);
    if (!position) throw new DomainError(ErrorCode.InvalidInput, 'after is not a feed cursor');
    const size = first ?? 200;
    if (!Number.isInteger(size) || size < 1 || size > 500) {
      throw new DomainError(ErrorCode.InvalidInput, 'first must be 1..500');
    }
    const rows = await this.edits.feedAfter(
      tenantId,
      { recordedAt: position.recordedAt, id: BigInt(position.id) },
      size + 1,
    );
    const page = rows.slice(0, size);
    const byEdit = new Map<string, EditEvent[]>();
    for (const e of await this.edits.histories(tenantId, [...new Set(page.map((r) => r.editId))])) {
      byEdit.set(e.editId, [...(byEdit.get(e.editId) ?? []), e]);
    }
    const replayed = new Map<string, Map<number, EditUpdate>>();
    for (const [editId, history] of byEdit) {
      replayed.set(editId, new Map(replayUpdates(history, 0).map((u) => [u.seq, u])));
    }
    const last = page.at(-1);
    return {
      updates: page.map((r) => editUpdateView(r.editId, replayed.get(r.editId)!.get(r.seq)!)),
      endCursor: last ? encodeFeedCursor({ recordedAt: last.recordedAt, id: last.id.toString() }) : after,
      hasMore: rows.length > size,
    };
  }

  /** The live feed's entries after `afterSeq`, as they went out (for a client that reconnects). */
  @ResolveField('updates')
  async updates(@Parent() edit: Edit, @Args('afterSeq') afterSeq: number) {
    if (!Number.isInteger(afterSeq) || afterSeq < 0) {
      throw new DomainError(ErrorCode.InvalidInput, 'afterSeq must be a whole number, 0 or more');
    }
    const events: EditEvent[] = await this.edits.history(edit.tenantId as TenantId, edit.id);
    return replayUpdates(events, afterSeq).map((u) => editUpdateView(edit.id, u));
  }

  @ResolveField('createdAt')
  createdAt(@Parent() edit: Edit): string {
    return edit.createdAt.toISOString();
  }

  @ResolveField('updatedAt')
  updatedAt(@Parent() edit: Edit): string {
    return edit.updatedAt.toISOString();
  }

  @ResolveField('completedAt')
  completedAt(@Parent() edit: Edit): string | null {
    return edit.completedAt?.toISOString() ?? null;
  }
}

@Resolver('Frame')
export class FrameResolver {
  constructor(
    @Inject(EDITS_REPOSITORY) private readonly edits: EditsRepository,
    @Inject(SIGNED_URLS) private readonly urls: SignedUrls,
  ) {}

  @ResolveReference()
  resolveReference(
    @Parent() ref: { id: string },
    @CurrentTenant() tenantId: TenantId,
  ): Promise<Frame | null> {
    return this.edits.frame(tenantId, ref.id);
  }

  /** Frames reach this resolver only through the caller's tenant's queries: the URL is the tenant's own. */
  @ResolveField('url')
  url(@Parent() frame: Frame): string {
    return this.urls.fileUrl(frame.tenantId, frame.blobKey);
  }

  @ResolveField('rawUrl')
  rawUrl(@Parent() frame: Frame): string {
    return this.urls.fileUrl(frame.tenantId, frame.rawBlobKey);
  }
}
