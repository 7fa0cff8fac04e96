import { randomBytes } from 'node:crypto';

import { createDatabase, dropDatabase, type ServiceDatabase } from '@f2f/database';

import { templateDatabase, testInfrastructure } from './env';

/** A service's createDatabase (services/<service>/src/database.ts): its own client on its schema. */
export type ConnectDatabase<Client> = (options: { url: string; poolSize?: number }) => Client;

export interface TestDatabase<Client extends ServiceDatabase> {
  /** The database as its administrator (every schema; services connect as their roles in e2e). */
  url: string;
  name: string;
  /** The client of the service under test, on its own schema. */
  prisma: Client;
  /** Another service's client on the same database (e.g. to inspect what it owns); one per service. */
  connect<Other extends ServiceDatabase>(connect: ConnectDatabase<Other>): Other;
  drop(): Promise<void>;
}

/** A fresh, migrated database of its own for one test file. */
export async function createTestDatabase<Client extends ServiceDatabase>(
  label: string,
  connect: ConnectDatabase<Client>,
): Promise<TestDatabase<Client>> {
  const { adminDatabaseUrl } = testInfrastructure();
  const name = `f2f_t_${label.replace(/[^a-z0-9]/g, '_')}_${randomBytes(3).toString('hex')}`;
  const url = await createDatabase(adminDatabaseUrl, name, templateDatabase());
  // One client per service for the file (connect may be called wherever a test needs one).
  const clients = new Map<ConnectDatabase<ServiceDatabase>, ServiceDatabase>();
  const open = <Other extends ServiceDatabase>(make: ConnectDatabase<Other>): Other => {
    if (!clients.has(make)) clients.set(make, make({ url, poolSize: 5 }));
    return clients.get(make) as Other;
  };
  return {
    url,
    name,
    prisma: open(connect),
    connect: open,
    drop: async () => {
      await Promise.all([...clients.values()].map((c) => c.$disconnect()));
      await dropDatabase(adminDatabaseUrl, name);
    },
  };
}
