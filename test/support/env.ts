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

export const TEMPLATE_DATABASE = 'f2f_template';
