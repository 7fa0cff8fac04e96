import { configParts } from '@f2f/common';
import { z } from 'zod';

/** Configuration every event-driven service needs; services extend it with their own keys. */
export const platformConfigShape = {
  DATABASE_URL: configParts.databaseUrl,
  KAFKA_BROKERS: configParts.kafkaBrokers,
  KAFKA_TOPIC_PREFIX: configParts.topicPrefix,
  BLOB_DIR: configParts.blobDir,
  LOG_LEVEL: configParts.logLevel,
  HOST: z.string().default('0.0.0.0'),
  DB_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(10),
  CONSUMER_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(5),
};

export interface PlatformConfig {
  serviceName: string;
  databaseUrl: string;
  kafkaBrokers: string[];
  topicPrefix: string;
  blobDir: string;
  dbPoolSize: number;
  consumerMaxAttempts: number;
}

export function platformConfigFrom(
  serviceName: string,
  env: {
    DATABASE_URL: string;
    KAFKA_BROKERS: string[];
    KAFKA_TOPIC_PREFIX: string;
    BLOB_DIR: string;
    DB_POOL_SIZE: number;
    CONSUMER_MAX_ATTEMPTS: number;
  },
): PlatformConfig {
  return {
    serviceName,
    databaseUrl: env.DATABASE_URL,
    kafkaBrokers: env.KAFKA_BROKERS,
    topicPrefix: env.KAFKA_TOPIC_PREFIX,
    blobDir: env.BLOB_DIR,
    dbPoolSize: env.DB_POOL_SIZE,
    consumerMaxAttempts: env.CONSUMER_MAX_ATTEMPTS,
  };
}
