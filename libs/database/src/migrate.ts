import { createHash, randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

import { Client } from 'pg';

/** The migrations of the one schema from before each service owned its data (frozen). */
export const LEGACY_MIGRATIONS_DIR = path.resolve(__dirname, '../prisma/migrations');

/** The advisory lock id `prisma migrate deploy` takes, so the two never run at once. */
const PRISMA_MIGRATE_LOCK_ID = 72707369;

export interface MigrationResult {
  applied: string[];
  alreadyApplied: string[];
}

export interface MigrateOptions {
  /**
   * The Postgres schema the migrations build (and `_prisma_migrations` is kept in), as
   * `prisma migrate deploy` does with `?schema=` in its URL; public when absent.
   */
  schema?: string;
  /** Run the migrations as this role (the schema's owner), from an administrator's connection. */
  role?: string;
}

/**
 * Applies a migrations folder in order, as `prisma migrate deploy` does: under Prisma's advisory
 * lock, one transaction per migration, recording each in `_prisma_migrations` with the sha256 of
 * its migration.sql. A database migrated here is one `prisma migrate deploy` considers up to date,
 * and the other way round. (The Prisma CLI's native engine cannot be downloaded on these machines.)
 */
export async function migrateDatabase(
  url: string,
  dir: string,
  options: MigrateOptions = {},
): Promise<MigrationResult> {
  const migrations = listMigrations(dir);
  const client = new Client({ connectionString: url, application_name: 'f2f-migrate' });
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [PRISMA_MIGRATE_LOCK_ID]);
    if (options.role) await client.query(`SET ROLE ${quoteIdent(options.role)}`);
    if (options.schema) await client.query(`SET search_path TO ${quoteIdent(options.schema)}`);
    return await applyPending(client, migrations);
  } finally {
    await client.query('RESET ROLE').catch(() => undefined);
    await client.query('SELECT pg_advisory_unlock($1)', [PRISMA_MIGRATE_LOCK_ID]).catch(() => undefined);
    await client.end();
  }
}

async function applyPending(client: Client, migrations: Migration[]): Promise<MigrationResult> {
  await client.query(`CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id" VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum" VARCHAR(64) NOT NULL,
    "finished_at" TIMESTAMPTZ,
    "migration_name" VARCHAR(255) NOT NULL,
    "logs" TEXT,
    "rolled_back_at" TIMESTAMPTZ,
    "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count" INTEGER NOT NULL DEFAULT 0
  )`);
  const { rows } = await client.query<{ migration_name: string; checksum: string; finished_at: Date | null }>(
    'SELECT migration_name, checksum, finished_at FROM "_prisma_migrations" WHERE rolled_back_at IS NULL',
  );
  const done = new Map(rows.map((r) => [r.migration_name, r]));
  const result: MigrationResult = { applied: [], alreadyApplied: [] };
  for (const migration of migrations) {
    const row = done.get(migration.name);
    if (row && row.finished_at === null) {
      throw new Error(
        `migration ${migration.name} failed earlier and needs attention (see _prisma_migrations)`,
      );
    }
    if (row) {
      if (row.checksum !== migration.checksum) {
        throw new Error(`migration ${migration.name} was modified after it was applied`);
      }
      result.alreadyApplied.push(migration.name);
      continue;
    }
    await client.query('BEGIN');
    try {
      await client.query(migration.sql);
      await client.query(
        `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, started_at, applied_steps_count)
         VALUES ($1, $2, now(), $3, now(), 1)`,
        [randomUUID(), migration.checksum, migration.name],
      );
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK');
      throw new Error(`migration ${migration.name} failed: ${(error as Error).message}`);
    }
    result.applied.push(migration.name);
  }
  return result;
}

export function quoteIdent(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`invalid identifier ${name}`);
  return `"${name}"`;
}

interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

/** A folder's migrations in order. */
function listMigrations(dir: string): Migration[] {
  if (!existsSync(dir)) throw new Error(`no migrations folder at ${dir}`);
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort()
    .map((name) => {
      const sql = readFileSync(path.join(dir, name, 'migration.sql'), 'utf8');
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    });
}

/** Creates a database (for tests: one per test file or run), optionally from a template. */
export async function createDatabase(adminUrl: string, name: string, template?: string): Promise<string> {
  if (!/^[a-z0-9_]+$/.test(name)) throw new Error(`invalid database name ${name}`);
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await client.query(`CREATE DATABASE "${name}"${template ? ` TEMPLATE "${template}"` : ''}`);
  } finally {
    await client.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}
