import type { TenantId } from '@f2f/database';
import { CurrentTenant, SIGNED_URLS, type SignedUrls } from '@f2f/platform';
import { Inject } from '@nestjs/common';
import { Parent, ResolveField, ResolveReference, Resolver } from '@nestjs/graphql';

import { SELECTIONS, type SelectionsRepository } from '../persistence/selections.repository';

interface EditRef {
  __typename: 'Edit';
  id: string;
}

@Resolver('Edit')
export class SelectionDecisionResolver {
  constructor(
    @Inject(SELECTIONS) private readonly selections: SelectionsRepository,
    @Inject(SIGNED_URLS) private readonly urls: SignedUrls,
  ) {}

  @ResolveReference()
  resolveReference(ref: EditRef): EditRef {
    return ref;
  }

  /** The decision for an edit of the caller's tenant; another tenant's edit has none. */
  @ResolveField('selectionDecision')
  async selectionDecision(@Parent() edit: EditRef, @CurrentTenant() tenantId: TenantId) {
    const row = await this.selections.forEdit(tenantId, edit.id);
    if (!row) return null;
    return {
      policy: row.policy,
      reason: row.reason,
      candidate: row.candidate,
      frameIndex: row.frameIndex,
      noEdit: row.frameId === null,
      collageBlobKeys: row.collageKeys,
      collageUrls: row.collageKeys.map((key) => this.urls.fileUrl(tenantId, key)),
      vlmModel: row.vlmModel,
      promptVersion: row.promptVersion,
      rawAnswers: row.rawAnswers,
      fallbackReason: row.fallbackReason,
      decidedAt: row.createdAt.toISOString(),
    };
  }
}
