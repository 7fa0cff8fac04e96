import type { PrismaClient } from './generated/prisma/client';

/** The client handed to code running inside an interactive transaction. */
export type Tx = Parameters<Parameters<PrismaClient['$transaction']>[0]>[0];
