import { DomainError, ErrorCode } from '@f2f/common';
import { editUpdateView } from '@f2f/contracts';
import type { Edit, EditEvent, Frame, TenantId } from '@f2f/database';
import { CurrentTenant } from '@f2f/platform';
import { Inject } from '@nestjs/common';
import { Args, Mutation, Parent, Query, ResolveField, ResolveReference, Resolver } from '@nestjs/graphql';

import { CancelEditUseCase } from '../cancel-edit/cancel-edit.use-case';
import { CreateEditCommand, type CreateEditInput } from '../create-edit/create-edit.command';
import {
  CreateEditUseCase,
  EDIT_LIMITS,
  type EditLimits,
  randomSeed,
} from '../create-edit/create-edit.use-case';
import { EditsRepository } from '../persistence/edits.repository';
import { replayUpdates } from '../stage-events/edit-update';

@Resolver('Edit')
export class EditsResolver {
  constructor(
    private readonly edits: EditsRepository,
    private readonly createEdit: CreateEditUseCase,
    private readonly cancelEdit: CancelEditUseCase,
    @Inject(EDIT_LIMITS) private readonly limits: EditLimits,
  ) {}

  @Query('edit')
  edit(@CurrentTenant() tenantId: TenantId, @Args('id') id: string): Promise<Edit | null> {
    return this.edits.findEdit(tenantId, id);
  }

  @Query('edits')
  list(@CurrentTenant() tenantId: TenantId, @Args('first') first: number): Promise<Edit[]> {
    return this.edits.listEdits(tenantId, Math.max(1, Math.min(first ?? 20, 100)));
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
  resolveReference(ref: { id: string }, @CurrentTenant() tenantId: TenantId): Promise<Edit | null> {
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
  constructor(private readonly edits: EditsRepository) {}

  @ResolveReference()
  resolveReference(ref: { id: string }, @CurrentTenant() tenantId: TenantId): Promise<Frame | null> {
    return this.edits.frame(tenantId, ref.id);
  }
}
