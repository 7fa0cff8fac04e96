import { randomBytes } from 'node:crypto';

import { createDatabase, createPrismaClient, dropDatabase, type PrismaClient } from '@f2f/database';

import { templateDatabase, testInfrastructure } from './env';

export interface TestDatabase {
  url: string;
  name: string;
  prisma: PrismaClient;
  drop(): Promise<void>;
}

/** A fresh, migrated database of its own for one test file. */
export async function createTestDatabase(label: string): Promise<TestDatabase> {
  const { adminDatabaseUrl } = testInfrastructure();
  const name = `f2f_t_${label.replace(/[^a-z0-9]/g, '_')}_${randomBytes(3).toString('hex')}`;
  const url = await createDatabase(adminDatabaseUrl, name, templateDatabase());
  const prisma = createPrismaClient({ url, poolSize: 5 });
  return {
    url,
    name,
    prisma,
    drop: async () => {
      await prisma.$disconnect();
      await dropDatabase(adminDatabaseUrl, name);
    },
  };
}
