import { createHash } from 'node:crypto';
import { appendFileSync, cpSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { Client } from 'pg';

import { testInfrastructure } from '../../../../test/support/env';
import { createDatabase, dropDatabase, migrateDatabase, LEGACY_MIGRATIONS_DIR } from '../migrate';

const name = `f2f_t_migrate_${process.pid}`;
let url: string;

beforeAll(async () => {
  url = await createDatabase(testInfrastructure().adminDatabaseUrl, name);
});
afterAll(async () => {
  await dropDatabase(testInfrastructure().adminDatabaseUrl, name);
});

async function query<T>(sql: string): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows as T[];
  } finally {
    await client.end();
  }
}

describe('migrateDatabase', () => {
  const migrations = readdirSync(LEGACY_MIGRATIONS_DIR, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();

  it('applies every migration once, recording them as `prisma migrate deploy` does', async () => {
    const first = await migrateDatabase(url, LEGACY_MIGRATIONS_DIR);
    expect(first).toEqual({ applied: migrations, alreadyApplied: [] });
    const second = await migrateDatabase(url, LEGACY_MIGRATIONS_DIR);
    expect(second).toEqual({ applied: [], alreadyApplied: migrations });

    const rows = await query<{
      migration_name: string;
      checksum: string;
      finished_at: Date | null;
      applied_steps_count: number;
    }>(
      'SELECT migration_name, checksum, finished_at, applied_steps_count FROM _prisma_migrations ORDER BY migration_name',
    );
    expect(rows.map((r) => r.migration_name)).toEqual(migrations);
    for (const row of rows) {
      const sql = readFileSync(path.join(LEGACY_MIGRATIONS_DIR, row.migration_name, 'migration.sql'));
      expect(row.checksum).toBe(createHash('sha256').update(sql).digest('hex'));
      expect(row.finished_at).not.toBeNull();
      expect(row.applied_steps_count).toBe(1);
    }
    const tables = await query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'",
    );
    expect(tables.map((t) => t.table_name)).toEqual(
      expect.arrayContaining([
        'edits',
        'frames',
        'frame_metrics',
        'outbox_events',
        'processed_events',
        'edit_events',
      ]),
    );
  });

  it('refuses a migration that was changed after it was applied', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'migrations-'));
    cpSync(LEGACY_MIGRATIONS_DIR, dir, { recursive: true });
    appendFileSync(path.join(dir, migrations[0], 'migration.sql'), '\n-- edited later\n');
    await expect(migrateDatabase(url, dir)).rejects.toThrow(/was modified after it was applied/);
  });

  it('rolls back a failing migration and records nothing for it', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'migrations-'));
    cpSync(LEGACY_MIGRATIONS_DIR, dir, { recursive: true });
    const broken = path.join(dir, '99990101000000_broken');
    cpSync(path.join(LEGACY_MIGRATIONS_DIR, migrations[0]), broken, { recursive: true });
    writeFileSync(
      path.join(broken, 'migration.sql'),
      'CREATE TABLE half_done (id int);\nSELECT * FROM no_such_table;\n',
    );
    await expect(migrateDatabase(url, dir)).rejects.toThrow(/99990101000000_broken failed/);
    expect(
      await query("SELECT 1 FROM information_schema.tables WHERE table_name = 'half_done'"),
    ).toHaveLength(0);
    expect(
      await query("SELECT 1 FROM _prisma_migrations WHERE migration_name = '99990101000000_broken'"),
    ).toHaveLength(0);
  });
});
