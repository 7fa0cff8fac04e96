import { dropDatabase } from '../../libs/database/src/migrate';

import { testInfrastructure } from './env';

export default async function globalTeardown(): Promise<void> {
  const name = process.env.F2F_TEMPLATE_DB;
  if (!name) return;
  delete process.env.F2F_TEMPLATE_DB;
  await dropDatabase(testInfrastructure().adminDatabaseUrl, name);
}
