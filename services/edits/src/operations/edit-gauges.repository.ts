import { Inject, Injectable } from '@nestjs/common';
import { PRISMA } from '@f2f/platform';

import type { PrismaClient } from '../database';

export interface UnfinishedEdits {
  count: number;
  /** Seconds since the oldest unfinished edit was created; 0 when there is none. */
  oldestAgeSeconds: number;
}

/** What an operator watches across tenants (the stuck-edits alert): not scoped to one tenant. */
@Injectable()
export class EditGaugesRepository {
  constructor(@Inject(PRISMA) private readonly prisma: PrismaClient) {}

  async unfinished(): Promise<UnfinishedEdits> {
    const [row] = await this.prisma.$queryRaw<{ count: bigint; age: number | null }[]>`
      SELECT count(*) AS count, extract(epoch FROM now() - min(created_at))::float8 AS age
      FROM edits WHERE status NOT IN ('COMPLETED', 'FAILED', 'CANCELLED')`;
    return { count: Number(row?.count ?? 0), oldestAgeSeconds: Math.max(0, row?.age ?? 0) };
  }
}
