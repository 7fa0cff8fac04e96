import { createHash } from 'node:crypto';

import { apiKeyPrefix, generateApiKey, hashApiKey, sameApiKeyHash } from '../api-key';

describe('API keys', () => {
  it('are f2f_<12 hex>_<256 random bits>, stored as the SHA-256 of the whole key', () => {
    const { key, prefix, hash } = generateApiKey();
    expect(key).toMatch(/^f2f_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/);
    expect(apiKeyPrefix(key)).toBe(prefix);
    expect(hash).toBe(createHash('sha256').update(key).digest('hex'));
    expect(hash).not.toContain(key.split('_')[2]);
    const keys = new Set(Array.from({ length: 200 }, () => generateApiKey().key));
    expect(keys.size).toBe(200);
  });

  it('have no prefix when malformed', () => {
    const { key } = generateApiKey();
    for (const bad of [
      '',
      'f2f_',
      `${key}x`,
      key.slice(0, -1),
      key.replace('f2f_', 'sk_'),
      key.toUpperCase(),
    ])
      expect(apiKeyPrefix(bad)).toBeUndefined();
  });

  it('compare hashes exactly (and refuse empty or different-length ones)', () => {
    const hash = hashApiKey('f2f_a');
    expect(sameApiKeyHash(hash, hashApiKey('f2f_a'))).toBe(true);
    expect(sameApiKeyHash(hash, hashApiKey('f2f_b'))).toBe(false);
    expect(sameApiKeyHash(hash, hash.slice(0, 62))).toBe(false);
    expect(sameApiKeyHash('', '')).toBe(false);
  });
});
