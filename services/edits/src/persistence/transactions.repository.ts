import type { PrismaClient, Tx } from '../database';

import type { Transactions } from './transactions';

/** Transactions of the edits database (Prisma's interactive transactions). */
export class PrismaTransactions implements Transactions {
  constructor(private readonly prisma: PrismaClient) {}

  run<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    return this.prisma.$transaction(work);
  }
}
