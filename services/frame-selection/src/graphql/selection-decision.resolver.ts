import type { TenantId } from '@f2f/database';
import type { PrismaClient } from '../database';
import { CurrentTenant, PRISMA, SIGNED_URLS, type SignedUrls } from '@f2f/platform';
import { Inject } from '@nestjs/common';
import { Parent, ResolveField, ResolveReference, Resolver } from '@nestjs/graphql';

interface EditRef {
  __typename: 'Edit';
  id: string;
}

const strings = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];

@Resolver('Edit')
export class SelectionDecisionResolver {
  constructor(
    @Inject(PRISMA) private readonly prisma: PrismaClient,
    @Inject(SIGNED_URLS) private readonly urls: SignedUrls,
  ) {}

  @ResolveReference()
  resolveReference(ref: EditRef): EditRef {
    return ref;
  }

  /** The decision for an edit of the caller's tenant; another tenant's edit has none. */
  @ResolveField('selectionDecision')
  async selectionDecision(@Parent() edit: EditRef, @CurrentTenant() tenantId: TenantId) {
    const row = await this.prisma.selection.findFirst({ where: { editId: edit.id, tenantId } });
    if (!row) return null;
    const collages = strings(row.collageKeys);
    return {
      policy: row.policy,
      reason: row.reason,
      candidate: row.candidate,
      frameIndex: row.frameIndex,
      noEdit: row.frameId === null,
      collageBlobKeys: collages,
      collageUrls: collages.map((key) => this.urls.fileUrl(tenantId, key)),
      vlmModel: row.vlmModel,
      promptVersion: row.promptVersion,
      rawAnswers: strings(row.rawAnswers),
      fallbackReason: row.fallbackReason,
      decidedAt: row.createdAt.toISOString(),
    };
  }
}
