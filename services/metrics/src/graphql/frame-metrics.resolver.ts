import type { PrismaClient, TenantId } from '@f2f/database';
import { CurrentTenant, PRISMA } from '@f2f/platform';
import { Inject } from '@nestjs/common';
import { Parent, ResolveField, ResolveReference, Resolver } from '@nestjs/graphql';

interface FrameRef {
  __typename: 'Frame';
  id: string;
}

@Resolver('Frame')
export class FrameMetricsResolver {
  constructor(@Inject(PRISMA) private readonly prisma: PrismaClient) {}

  @ResolveReference()
  resolveReference(ref: FrameRef): FrameRef {
    return ref;
  }

  @ResolveField('metrics')
  async metrics(
    @Parent() frame: FrameRef,
    @CurrentTenant() tenantId: TenantId,
  ): Promise<{ ssim: number; psnr: number } | null> {
    const row = await this.prisma.frameMetric.findFirst({
      where: { frameId: frame.id, tenantId },
      select: { ssim: true, psnr: true },
    });
    return row;
  }
}
