import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * API keys: `f2f_<prefix>_<secret>`. The prefix (12 hex characters) is a public id that finds the
 * key's row and shows in listings; the secret is 32 random bytes (base64url). Only the SHA-256 of
 * the whole key is stored: a key of 256 random bits needs no slow hash, and a stolen table gives
 * nothing that authenticates.
 */
const KEY_PATTERN = /^f2f_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/;

export interface GeneratedApiKey {
  /** The key, shown once to whoever created it. */
  key: string;
  prefix: string;
  hash: string;
}

export function generateApiKey(): GeneratedApiKey {
  const prefix = randomBytes(6).toString('hex');
  const key = `f2f_${prefix}_${randomBytes(32).toString('base64url')}`;
  return { key, prefix, hash: hashApiKey(key) };
}

/** The hex SHA-256 of a key. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** The public prefix of a well-formed key; undefined for anything that cannot be a key. */
export function apiKeyPrefix(key: string): string | undefined {
  return KEY_PATTERN.exec(key)?.[1];
}

/** Compares two hex digests in constant time. */
export function sameApiKeyHash(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && x.length > 0 && timingSafeEqual(x, y);
}
