/** Injection tokens of the adapters every service shares. */
export const PLATFORM_CONFIG = Symbol('PlatformConfig');
export const LOGGER = Symbol('Logger');
export const PRISMA = Symbol('PrismaClient');
export const KAFKA = Symbol('Kafka');
export const KAFKA_PRODUCER = Symbol('KafkaProducer');
export const BLOB_STORE = Symbol('BlobStore');
export const CLOCK = Symbol('Clock');
