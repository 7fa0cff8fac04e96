import { ALL_TOPICS, TOPIC_PARTITIONS, topicName } from '@f2f/contracts';
import type { Logger } from '@f2f/common';
import { Kafka, logLevel, type LogEntry } from 'kafkajs';

export interface KafkaOptions {
  clientId: string;
  brokers: string[];
  topicPrefix: string;
  logger: Logger;
}

/** Routes kafkajs' own logs into the service's structured logger. */
function kafkaLogCreator(logger: Logger) {
  return () =>
    ({ level, log }: LogEntry) => {
      const { message, ...extra } = log;
      const child = logger.child({ component: 'kafkajs' });
      if (level === logLevel.ERROR) child.error(extra, message);
      else if (level === logLevel.WARN) child.warn(extra, message);
      else child.debug(extra, message);
    };
}

export function createKafka(options: KafkaOptions): Kafka {
  return new Kafka({
    clientId: options.clientId,
    brokers: options.brokers,
    logLevel: logLevel.WARN,
    logCreator: kafkaLogCreator(options.logger),
    retry: { initialRetryTime: 200, retries: 8 },
  });
}

/** Creates the platform's topics for a prefix if they are missing (idempotent). */
export async function ensureTopics(
  kafka: Kafka,
  prefix: string,
  partitions = TOPIC_PARTITIONS,
): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = ALL_TOPICS.map((t) => topicName(prefix, t)).filter((t) => !existing.has(t));
    if (missing.length > 0) {
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((topic) => ({ topic, numPartitions: partitions, replicationFactor: 1 })),
      });
    }
  } finally {
    await admin.disconnect();
  }
}
