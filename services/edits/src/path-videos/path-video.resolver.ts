import { DomainError, ErrorCode } from '@f2f/common';
import type { TenantId } from '@f2f/database';
import { SIGNED_URLS, type SignedUrls } from '@f2f/platform';
import { Inject } from '@nestjs/common';
import { Args, Int, Parent, ResolveField, Resolver } from '@nestjs/graphql';

import type { Edit } from '../database';
import { PathVideoWorker } from './path-video.worker';
import { PathVideosRepository } from './path-videos.repository';

/** Statuses after which every frame of the edit is stored. */
const GENERATED = new Set(['SELECTING', 'COMPLETED']);

/** Edit.pathVideoUrl: a candidate's path as an MP4, signed like every other download. */
@Resolver('Edit')
export class PathVideoResolver {
  constructor(
    private readonly videos: PathVideosRepository,
    private readonly worker: PathVideoWorker,
    @Inject(SIGNED_URLS) private readonly urls: SignedUrls,
  ) {}

  @ResolveField('pathVideoUrl')
  async pathVideoUrl(
    @Parent() edit: Edit,
    @Args('candidate', { type: () => Int, nullable: true }) candidate: number | null,
  ): Promise<string | null> {
    const k = candidate ?? 0;
    if (!Number.isInteger(k) || k < 0 || k >= edit.candidates) {
      throw new DomainError(ErrorCode.InvalidInput, `candidate: 0..${edit.candidates - 1} for this edit`);
    }
    const video = await this.videos.find(edit.tenantId as TenantId, edit.id, k);
    if (video) return this.urls.fileUrl(edit.tenantId, video.blobKey);
    // Not made yet (or lost to a restart): ask the worker, the client asks again later.
    if (GENERATED.has(edit.status)) this.worker.request(edit.tenantId, edit.id);
    return null;
  }
}
