import type { TenantId } from '@f2f/database';
import { CurrentTenant } from '@f2f/platform';
import { Args, Mutation, Resolver } from '@nestjs/graphql';

import { type ScoredImages, type ScoreImageItem, ScoreImagesUseCase } from '../scoring/score-images.use-case';

@Resolver()
export class ScoreImagesResolver {
  constructor(private readonly useCase: ScoreImagesUseCase) {}

  @Mutation('scoreImages')
  scoreImages(
    @CurrentTenant() tenantId: TenantId,
    @Args('input') input: { items: ScoreImageItem[] },
  ): Promise<ScoredImages> {
    return this.useCase.score(tenantId, input.items);
  }
}
