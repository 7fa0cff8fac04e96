import type { TenantId } from '@f2f/database';
import { PRISMA } from '@f2f/platform';
import { Inject, Injectable } from '@nestjs/common';

import type { PathVideo, PrismaClient } from '../database';

/** What the path-video worker needs of an edit: its fps and how many frames each candidate has. */
export interface PathVideoSource {
  fps: number;
  frameCount: number;
  candidates: number;
}

/** The edits service's path videos (path_videos) and the frames they are made from. */
@Injectable()
export class PathVideosRepository {
  constructor(@Inject(PRISMA) private readonly prisma: PrismaClient) {}

  find(tenantId: TenantId, editId: string, candidate: number): Promise<PathVideo | null> {
    return this.prisma.pathVideo.findFirst({ where: { tenantId, editId, candidate } });
  }

  async source(tenantId: TenantId, editId: string): Promise<PathVideoSource | null> {
    return this.prisma.edit.findFirst({
      where: { tenantId, id: editId },
      select: { fps: true, frameCount: true, candidates: true },
    });
  }

  /** One candidate's frames' blob keys, in path order. */
  async frameKeys(tenantId: TenantId, editId: string, candidate: number): Promise<string[]> {
    const rows = await this.prisma.frame.findMany({
      where: { tenantId, editId, candidate },
      orderBy: { index: 'asc' },
      select: { blobKey: true },
    });
    return rows.map((r) => r.blobKey);
  }

  /** Records a made video; a second one for the same candidate changes nothing (made once). */
  async record(video: Omit<PathVideo, 'createdAt'>): Promise<void> {
    await this.prisma.pathVideo.createMany({ data: [video], skipDuplicates: true });
  }
}
