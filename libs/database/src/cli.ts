import { migrateDatabase, type MigrationResult } from './migrate';
import { dataOwners } from './owners';
import { migratePlatform } from './provision';

const summary = (label: string, r: MigrationResult) =>
  `${label}: ${r.applied.length} applied (${r.applied.join(', ') || 'none'}), ${r.alreadyApplied.length} already applied`;

/**
 *   cli.js migrate                 as an administrator (DATABASE_URL): roles, schemas, every owner's
 *                                  migrations as its role, rows adopted from the shared schema
 *   cli.js migrate-owner <service> as the service's own role (DATABASE_URL): its migrations only
 */
async function main(): Promise<void> {
  const [command, service] = process.argv.slice(2);
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is required');
  if (command === 'migrate') {
    const result = await migratePlatform(url);
    if (result.legacy) console.log(summary('shared schema (legacy, then retired)', result.legacy));
    for (const { service: name, result: r } of result.owners) console.log(summary(name, r));
  } else if (command === 'migrate-owner' && service) {
    const owner = dataOwners().find((o) => o.service === service);
    if (!owner) throw new Error(`service ${service} has no prisma/migrations`);
    console.log(summary(service, await migrateDatabase(url, owner.migrationsDir, { schema: owner.schema })));
  } else {
    throw new Error('usage: cli.js migrate | migrate-owner <service>');
  }
}

main().catch((error: unknown) => {
  console.error((error as Error).message);
  process.exit(1);
});
