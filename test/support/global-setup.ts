import { createDatabase, migrateDatabase } from '../../libs/database/src/migrate';

import { TEMPLATE_DATABASE, testInfrastructure } from './env';

/** Migrates a template database once per run; each test file copies it (CONVENTIONS 11). */
export default async function globalSetup(): Promise<void> {
  const { adminDatabaseUrl } = testInfrastructure();
  const url = await createDatabase(adminDatabaseUrl, TEMPLATE_DATABASE);
  await migrateDatabase(url);
}
