import { randomBytes } from 'node:crypto';

import { createDatabase } from '../../libs/database/src/migrate';
import { migratePlatform } from '../../libs/database/src/provision';

import { testInfrastructure } from './env';

/**
 * Migrates a template database once per run; each test file copies it (CONVENTIONS 11). The name
 * is unique per run and handed to the workers through the environment.
 */
export default async function globalSetup(): Promise<void> {
  if (process.env.F2F_TEMPLATE_DB) return;
  const { adminDatabaseUrl } = testInfrastructure();
  const name = `f2f_template_${randomBytes(4).toString('hex')}`;
  const url = await createDatabase(adminDatabaseUrl, name);
  // Every owner's schema and role (roles belong to the cluster: the first run creates them).
  await migratePlatform(url);
  process.env.F2F_TEMPLATE_DB = name;
}
