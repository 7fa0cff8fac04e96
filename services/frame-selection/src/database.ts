// This service's own database: its generated Prisma client (prisma/*.prisma), on its own Postgres
// schema "frame_selection", which only its role may use (ARCHITECTURE.md). Only repositories use it.
import { serviceDatabaseFactory, type TxOf } from '@f2f/database';

import { PrismaClient } from './generated/prisma/client';

export * from './generated/prisma/client';

/** The Postgres schema this service owns. */
export const DATABASE_SCHEMA = 'frame_selection';

/** The client handed to code running inside an interactive transaction. */
export type Tx = TxOf<PrismaClient>;

/** This service's client on its schema. */
export const createDatabase = serviceDatabaseFactory(PrismaClient, DATABASE_SCHEMA);
