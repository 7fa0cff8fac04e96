import { PrismaPg } from '@prisma/adapter-pg';

export interface DatabaseOptions {
  url: string;
  /**
   * The service's own Postgres schema: generated queries name it, and the connections' search_path
   * is it alone, so plain SQL finds the service's tables and nothing else.
   */
  schema: string;
  /** Connections in this process's pool. */
  poolSize?: number;
  applicationName?: string;
}

/** The driver adapter a service's generated Prisma client is built with. */
export function createDatabaseAdapter(options: DatabaseOptions): PrismaPg {
  if (!/^[a-z_][a-z0-9_]*$/.test(options.schema)) throw new Error(`invalid schema name ${options.schema}`);
  return new PrismaPg(
    {
      connectionString: options.url,
      max: options.poolSize ?? 10,
      application_name: options.applicationName,
      options: `-c search_path=${options.schema}`,
    },
    { schema: options.schema },
  );
}

/** A service's generated Prisma client class (services/<service>/src/generated/prisma). */
export type PrismaClientClass<Client> = new (options: { adapter: PrismaPg }) => Client;

/** Builds a service's own Prisma client on its schema. */
export function createServiceClient<Client>(
  Client: PrismaClientClass<Client>,
  options: DatabaseOptions,
): Client {
  return new Client({ adapter: createDatabaseAdapter(options) });
}

/**
 * What a service's src/database.ts exports besides its generated client: the factory of its
 * client on its own schema (PlatformModule.forRoot's database factory, the tests' connections).
 */
export function serviceDatabaseFactory<Client>(
  Client: PrismaClientClass<Client>,
  schema: string,
): (options: { url: string; poolSize?: number; applicationName?: string }) => Client {
  return (options) => createServiceClient(Client, { ...options, schema });
}
