import { readFileSync } from 'node:fs';
import path from 'node:path';

import { Client } from 'pg';

import { templateDatabase, testInfrastructure } from '../../../../test/support/env';
import { createDatabase, dropDatabase } from '../migrate';
import { type DataOwner, dataOwners, ownerDatabaseUrl, ownerPassword, REPO_ROOT } from '../owners';

// One owner per table, enforced by Postgres: each service's role can use its own schema and
// nothing else, and ARCHITECTURE.md's ownership table says exactly what each one owns.

const owners = dataOwners();
const INSUFFICIENT_PRIVILEGE = '42501';
let adminUrl: string;
let dbName: string;
let tables: Map<string, string[]>;

async function connectAs(owner: DataOwner | null): Promise<Client> {
  const url = owner ? ownerDatabaseUrl(adminUrl, owner, ownerPassword(owner)) : adminUrl;
  const client = new Client({ connectionString: url });
  await client.connect();
  return client;
}

async function errorCodeOf(client: Client, sql: string): Promise<string | null> {
  try {
    await client.query(sql);
    return null;
  } catch (error) {
    return (error as { code?: string }).code ?? 'unknown';
  }
}

/** The ownership table of ARCHITECTURE.md: service -> its tables. */
function documentedOwnership(): Map<string, string[]> {
  const doc = readFileSync(path.join(REPO_ROOT, 'ARCHITECTURE.md'), 'utf8');
  const section = doc.split('<!-- ownership:start -->')[1]?.split('<!-- ownership:end -->')[0];
  if (!section) throw new Error('ARCHITECTURE.md has no ownership table between its markers');
  const rows = section.split('\n').filter((line) => /^\|\s*`[a-z-]+`\s*\|/.test(line));
  return new Map(
    rows.map((line) => {
      const cells = line.split('|').map((c) => c.trim());
      const names = [...cells[3]!.matchAll(/`([a-z_]+)`/g)].map((m) => m[1]!);
      return [cells[1]!.replace(/`/g, ''), names.sort()];
    }),
  );
}

beforeAll(async () => {
  dbName = `f2f_t_ownership_${process.pid}`;
  adminUrl = await createDatabase(testInfrastructure().adminDatabaseUrl, dbName, templateDatabase());
  const admin = await connectAs(null);
  const { rows } = await admin.query<{ schemaname: string; tablename: string }>(
    `SELECT schemaname, tablename FROM pg_tables WHERE schemaname = ANY($1) AND tablename <> '_prisma_migrations'`,
    [owners.map((o) => o.schema)],
  );
  await admin.end();
  tables = new Map(
    owners.map((o) => [
      o.schema,
      rows
        .filter((r) => r.schemaname === o.schema)
        .map((r) => r.tablename)
        .sort(),
    ]),
  );
});

afterAll(async () => {
  if (dbName) await dropDatabase(testInfrastructure().adminDatabaseUrl, dbName);
});

describe('each service owns its schema', () => {
  it.each(owners.map((o) => [o.service, o] as const))(
    '%s reads and writes its own tables only',
    async (_, owner) => {
      const client = await connectAs(owner);
      try {
        for (const table of tables.get(owner.schema)!)
          expect(await errorCodeOf(client, `SELECT * FROM "${owner.schema}"."${table}" LIMIT 1`)).toBeNull();
        expect(await errorCodeOf(client, 'SELECT count(*) FROM outbox_events')).toBeNull();
        for (const other of owners.filter((o) => o !== owner)) {
          for (const table of tables.get(other.schema)!) {
            expect([
              table,
              await errorCodeOf(client, `SELECT * FROM "${other.schema}"."${table}" LIMIT 1`),
            ]).toEqual([table, INSUFFICIENT_PRIVILEGE]);
            expect(await errorCodeOf(client, `DELETE FROM "${other.schema}"."${table}"`)).toBe(
              INSUFFICIENT_PRIVILEGE,
            );
          }
          expect(await errorCodeOf(client, `CREATE TABLE "${other.schema}".intruder (id int)`)).toBe(
            INSUFFICIENT_PRIVILEGE,
          );
        }
        // Nothing shared either: the public schema is closed to the services.
        expect(await errorCodeOf(client, 'CREATE TABLE public.shared_by_accident (id int)')).toBe(
          INSUFFICIENT_PRIVILEGE,
        );
      } finally {
        await client.end();
      }
    },
  );

  it('a role cannot grant itself another schema or become another role', async () => {
    const [first, second] = owners;
    const client = await connectAs(first!);
    try {
      expect(await errorCodeOf(client, `GRANT USAGE ON SCHEMA "${second!.schema}" TO ${first!.role}`)).toBe(
        INSUFFICIENT_PRIVILEGE,
      );
      expect(await errorCodeOf(client, `SET ROLE ${second!.role}`)).toBe(INSUFFICIENT_PRIVILEGE);
    } finally {
      await client.end();
    }
  });

  it("ARCHITECTURE.md's ownership table matches the schemas exactly", () => {
    const documented = documentedOwnership();
    expect([...documented.keys()].sort()).toEqual(owners.map((o) => o.service).sort());
    for (const owner of owners)
      expect([owner.service, documented.get(owner.service)]).toEqual([
        owner.service,
        tables.get(owner.schema),
      ]);
  });

  it('a new database gets the same roles and schemas (migrations are repeatable)', async () => {
    const name = `${dbName}_again`;
    const url = await createDatabase(testInfrastructure().adminDatabaseUrl, name);
    try {
      const { migratePlatform } = await import('../provision');
      const first = await migratePlatform(url);
      expect(first.legacy).toBeNull();
      expect(first.owners.every((o) => o.result.applied.length > 0)).toBe(true);
      const again = await migratePlatform(url);
      expect(again.owners.every((o) => o.result.applied.length === 0)).toBe(true);
    } finally {
      await dropDatabase(testInfrastructure().adminDatabaseUrl, name);
    }
  });
});
