/** What the test runner (scripts/test.js) passes to tests about the infrastructure. */
export function testInfrastructure(): { adminDatabaseUrl: string; kafkaBrokers: string } {
  const adminDatabaseUrl = process.env.TEST_DATABASE_URL;
  const kafkaBrokers = process.env.KAFKA_BROKERS;
  if (!adminDatabaseUrl || !kafkaBrokers) {
    throw new Error(
      'TEST_DATABASE_URL and KAFKA_BROKERS must be set: run the tests with `npm test`, which starts Postgres and Kafka',
    );
  }
  return { adminDatabaseUrl, kafkaBrokers };
}

/** The migrated template database of this test run (one per run, so concurrent runs never collide). */
export function templateDatabase(): string {
  const name = process.env.F2F_TEMPLATE_DB;
  if (!name) throw new Error('F2F_TEMPLATE_DB is not set: the global setup did not run');
  return name;
}
