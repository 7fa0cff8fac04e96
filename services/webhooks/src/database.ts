// This service's own database: its generated Prisma client (prisma/*.prisma), on its own Postgres
// schema "webhooks", which only its role may use (ARCHITECTURE.md). Only repositories use it.
import { createServiceClient } from '@f2f/database';

import { PrismaClient } from './generated/prisma/client';

export * from './generated/prisma/client';

/** The Postgres schema this service owns. */
export const DATABASE_SCHEMA = 'webhooks';

/** The client handed to code running inside an interactive transaction. */
export type Tx = Parameters<Parameters<PrismaClient['$transaction']>[0]>[0];

/** This service's client on its schema (PlatformModule.forRoot's database factory). */
export function createDatabase(options: {
  url: string;
  poolSize?: number;
  applicationName?: string;
}): PrismaClient {
  return createServiceClient(PrismaClient, { ...options, schema: DATABASE_SCHEMA });
}
