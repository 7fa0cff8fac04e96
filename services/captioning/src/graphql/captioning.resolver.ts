import type { TenantId } from '@f2f/database';
import { CurrentTenant } from '@f2f/platform';
import { Inject } from '@nestjs/common';
import { Args, Mutation, Parent, Query, ResolveField, ResolveReference, Resolver } from '@nestjs/graphql';

import { type AddCaptionExampleInput, CaptionExamplesService } from '../examples/caption-examples.service';
import type { CaptionExampleRecord } from '../persistence/caption-examples.repository';
import { CAPTIONS, type CaptionsRepository, type CaptionView } from '../persistence/captions.repository';

interface EditRef {
  __typename: 'Edit';
  id: string;
}

const exampleView = (row: CaptionExampleRecord) => ({
  id: row.id,
  targetCaption: row.targetCaption,
  temporalCaption: row.temporalCaption,
  hasImage: row.imageKey !== null,
  createdAt: row.createdAt.toISOString(),
});

@Resolver('CaptionExample')
export class CaptionExamplesResolver {
  constructor(private readonly examples: CaptionExamplesService) {}

  @Query('captionExamples')
  async captionExamples(@CurrentTenant() tenantId: TenantId) {
    return (await this.examples.list(tenantId)).map(exampleView);
  }

  @Mutation('addCaptionExample')
  async addCaptionExample(@CurrentTenant() tenantId: TenantId, @Args('input') input: AddCaptionExampleInput) {
    return exampleView(await this.examples.add(tenantId, input));
  }

  @Mutation('removeCaptionExample')
  removeCaptionExample(@CurrentTenant() tenantId: TenantId, @Args('id') id: string): Promise<boolean> {
    return this.examples.remove(tenantId, id);
  }
}

@Resolver('Edit')
export class EditCaptionResolver {
  constructor(@Inject(CAPTIONS) private readonly captions: CaptionsRepository) {}

  @ResolveReference()
  resolveReference(ref: EditRef): EditRef {
    return ref;
  }

  /** The caption of an edit of the caller's tenant; another tenant's edit has none. */
  @ResolveField('caption')
  caption(@Parent() edit: EditRef, @CurrentTenant() tenantId: TenantId): Promise<CaptionView | null> {
    return this.captions.forEdit(tenantId, edit.id);
  }
}
