import type { PrismaClient } from '../database';
import { OutboxWriter } from '@f2f/messaging';

import { PrismaEditHistory } from '../history/edit-history.repository';
import { PrismaEditsRepository } from '../persistence/edits.repository';
import { PrismaFramesRepository } from '../persistence/frames.repository';
import { PrismaTransactions } from '../persistence/transactions.repository';

/** The edits service's Prisma repositories over one client, as app.module wires them (integration tests). */
export function prismaRepositories(prisma: PrismaClient, outbox = new OutboxWriter('edits', 'test.')) {
  return {
    transactions: new PrismaTransactions(prisma),
    edits: new PrismaEditsRepository(prisma),
    history: new PrismaEditHistory(outbox),
    frames: new PrismaFramesRepository(),
    outbox,
  };
}
