import { migrateDatabase } from './migrate';

async function main(): Promise<void> {
  const [command] = process.argv.slice(2);
  const url = process.env.DATABASE_URL;
  if (command !== 'migrate') throw new Error('usage: cli.js migrate');
  if (!url) throw new Error('DATABASE_URL is required');
  const result = await migrateDatabase(url);
  console.log(
    `migrations: ${result.applied.length} applied (${result.applied.join(', ') || 'none'}), ${result.alreadyApplied.length} already applied`,
  );
}

main().catch((error: unknown) => {
  console.error((error as Error).message);
  process.exit(1);
});
