import { Client } from 'pg';

import { LEGACY_MIGRATIONS_DIR, migrateDatabase, type MigrationResult, quoteIdent } from './migrate';
import { type DataOwner, dataOwners, ownerPassword } from './owners';

/** Where the shared schema's tables go once their owners have adopted their rows (admin only). */
export const LEGACY_SCHEMA = 'f2f_legacy';

/**
 * The tables of the shared schema (public, before each service owned its data) whose rows each
 * owner's adoption migration copies into its own schema. Granted for the adoption only.
 */
export const LEGACY_TABLES_ADOPTED_BY: Record<string, readonly string[]> = {
  edits: ['tenants', 'api_keys', 'edits', 'uploads', 'frames', 'frame_metrics', 'edit_events', 'vlm_calls'],
  captioning: ['captions', 'caption_examples', 'vlm_calls'],
  video_generation: ['edits'],
  frame_selection: ['selections', 'vlm_calls'],
  metrics: ['frame_metrics'],
  webhooks: ['webhook_endpoints', 'webhook_deliveries', 'webhook_attempts'],
};
const LEGACY_MESSAGING_TABLES = ['outbox_events', 'processed_events'];

const literal = (value: string) => `'${value.replace(/'/g, "''")}'`;

/**
 * Creates each owner's login role (when missing: an existing role keeps its password) and its
 * schema, owned by the role, and closes the public schema: a role can use its own schema only.
 */
export async function provisionOwners(admin: Client, owners: { owner: DataOwner; password: string }[]) {
  await admin.query('REVOKE ALL ON SCHEMA public FROM PUBLIC');
  for (const { owner, password } of owners) {
    const role = quoteIdent(owner.role);
    const schema = quoteIdent(owner.schema);
    // Roles belong to the cluster, which test runs share: another may create the role first.
    await admin.query(`DO $$ BEGIN
      IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = ${literal(owner.role)}) THEN
        CREATE ROLE ${role} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS PASSWORD ${literal(password)};
        ALTER ROLE ${role} SET search_path = ${schema};
      END IF;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
    END $$`);
    await admin.query(`CREATE SCHEMA IF NOT EXISTS ${schema} AUTHORIZATION ${role}`);
    await admin.query(`ALTER SCHEMA ${schema} OWNER TO ${role}`);
    await admin.query(`REVOKE ALL ON SCHEMA ${schema} FROM PUBLIC`);
  }
}

async function isLegacyDatabase(admin: Client): Promise<boolean> {
  const { rows } = await admin.query<{ found: boolean }>(
    `SELECT to_regclass('public._prisma_migrations') IS NOT NULL AND to_regclass('public.edits') IS NOT NULL AS found`,
  );
  return rows[0]!.found;
}

async function grantLegacyReads(admin: Client, owners: DataOwner[], grant: boolean): Promise<void> {
  for (const owner of owners) {
    const role = quoteIdent(owner.role);
    const tables = [...(LEGACY_TABLES_ADOPTED_BY[owner.schema] ?? []), ...LEGACY_MESSAGING_TABLES];
    const list = tables.map((t) => `public.${quoteIdent(t)}`).join(', ');
    await admin.query(
      grant
        ? `GRANT USAGE ON SCHEMA public TO ${role}; GRANT SELECT ON ${list} TO ${role}`
        : `REVOKE SELECT ON ${list} FROM ${role}; REVOKE USAGE ON SCHEMA public FROM ${role}`,
    );
  }
}

/** Moves what is left of the shared schema (tables, enums, its migration history) out of public. */
async function retireLegacySchema(admin: Client): Promise<void> {
  await admin.query(`CREATE SCHEMA IF NOT EXISTS ${LEGACY_SCHEMA}`);
  await admin.query(`REVOKE ALL ON SCHEMA ${LEGACY_SCHEMA} FROM PUBLIC`);
  const { rows: tables } = await admin.query<{ name: string }>(
    `SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public'`,
  );
  for (const { name } of tables)
    await admin.query(`ALTER TABLE public."${name.replace(/"/g, '""')}" SET SCHEMA ${LEGACY_SCHEMA}`);
  const { rows: types } = await admin.query<{ name: string }>(
    `SELECT t.typname AS name FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
     WHERE n.nspname = 'public' AND t.typtype = 'e'`,
  );
  for (const { name } of types)
    await admin.query(`ALTER TYPE public."${name.replace(/"/g, '""')}" SET SCHEMA ${LEGACY_SCHEMA}`);
}

export interface PlatformMigrationResult {
  legacy: MigrationResult | null;
  owners: { service: string; result: MigrationResult }[];
}

/**
 * Brings a database to the current layout, from an administrator's connection:
 *  1. each owner's role and schema (provisionOwners);
 *  2. a database of the shared schema is first brought to its last migration and each owner may
 *     read, for its adoption migration, the shared tables it adopts rows from;
 *  3. each owner's migrations run as its role, in its schema;
 *  4. the shared tables then leave public for f2f_legacy (kept for inspection, admin only).
 * Running it again changes nothing.
 */
export async function migratePlatform(
  adminUrl: string,
  owners: DataOwner[] = dataOwners(),
  env: NodeJS.ProcessEnv = process.env,
): Promise<PlatformMigrationResult> {
  const admin = new Client({ connectionString: adminUrl, application_name: 'f2f-migrate' });
  await admin.connect();
  try {
    await provisionOwners(
      admin,
      owners.map((owner) => ({ owner, password: ownerPassword(owner, env) })),
    );
    const legacy = (await isLegacyDatabase(admin))
      ? await migrateDatabase(adminUrl, LEGACY_MIGRATIONS_DIR, { schema: 'public' })
      : null;
    if (legacy) await grantLegacyReads(admin, owners, true);
    const results = [];
    for (const owner of owners) {
      const result = await migrateDatabase(adminUrl, owner.migrationsDir, {
        schema: owner.schema,
        role: owner.role,
      });
      results.push({ service: owner.service, result });
    }
    if (legacy) {
      await grantLegacyReads(admin, owners, false);
      await retireLegacySchema(admin);
    }
    return { legacy, owners: results };
  } finally {
    await admin.end();
  }
}
