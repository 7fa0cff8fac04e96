import { PrismaPg } from '@prisma/adapter-pg';

import { PrismaClient } from './generated/prisma/client';

export { PrismaClient };

export interface DatabaseOptions {
  url: string;
  /** Connections in this process's pool. */
  poolSize?: number;
  applicationName?: string;
}

export function createPrismaClient(options: DatabaseOptions): PrismaClient {
  const adapter = new PrismaPg({
    connectionString: options.url,
    max: options.poolSize ?? 10,
    application_name: options.applicationName,
  });
  return new PrismaClient({ adapter });
}
