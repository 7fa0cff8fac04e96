import { ConfigError } from '@f2f/common';

import { introspectionEnabled, loadGatewayConfig } from '../config';

const SECRET = 'x'.repeat(32);
/** Subscriptions follow the status topic: the brokers are required; signed URLs need their secret. */
const KAFKA = { KAFKA_BROKERS: '127.0.0.1:9092', SIGNED_URL_SECRET: 'u'.repeat(32) };

describe('gateway configuration', () => {
  it('requires TENANT_CONTEXT_SECRET of at least 32 characters', () => {
    expect(() => loadGatewayConfig({})).toThrow(ConfigError);
    expect(() => loadGatewayConfig({ ...KAFKA, TENANT_CONTEXT_SECRET: 'short' })).toThrow(
      /at least 32 characters/,
    );
    expect(loadGatewayConfig({ ...KAFKA, TENANT_CONTEXT_SECRET: SECRET }).TENANT_CONTEXT_SECRET).toBe(SECRET);
  });

  it('requires the Kafka brokers of the status topic (subscriptions)', () => {
    expect(() => loadGatewayConfig({ TENANT_CONTEXT_SECRET: SECRET, SIGNED_URL_SECRET: SECRET })).toThrow(
      /KAFKA_BROKERS is required/,
    );
    expect(loadGatewayConfig({ ...KAFKA, TENANT_CONTEXT_SECRET: SECRET }).KAFKA_BROKERS).toEqual([
      '127.0.0.1:9092',
    ]);
  });

  it('requires SIGNED_URL_SECRET of at least 32 characters (it verifies upload and download URLs)', () => {
    const env = { ...KAFKA, TENANT_CONTEXT_SECRET: SECRET };
    expect(() => loadGatewayConfig({ ...env, SIGNED_URL_SECRET: undefined })).toThrow(
      /SIGNED_URL_SECRET is required/,
    );
    expect(() => loadGatewayConfig({ ...env, SIGNED_URL_SECRET: 'short' })).toThrow(
      /SIGNED_URL_SECRET must be at least 32 characters/,
    );
  });

  it('takes AUTH_DISABLED_TENANT (benchmarks) only outside production, and only a tenant id', () => {
    const env = { ...KAFKA, TENANT_CONTEXT_SECRET: SECRET };
    expect(loadGatewayConfig(env).AUTH_DISABLED_TENANT).toBeUndefined();
    expect(loadGatewayConfig({ ...env, AUTH_DISABLED_TENANT: 'bench' }).AUTH_DISABLED_TENANT).toBe('bench');
    expect(() =>
      loadGatewayConfig({ ...env, AUTH_DISABLED_TENANT: 'bench', NODE_ENV: 'production' }),
    ).toThrow(/AUTH_DISABLED_TENANT must not be set when NODE_ENV=production/);
    expect(() => loadGatewayConfig({ ...env, AUTH_DISABLED_TENANT: 'a b' })).toThrow(/must be a tenant id/);
  });

  it('reads CORS_ORIGINS as a list of exact origins, none by default, and refuses anything else', () => {
    const env = { ...KAFKA, TENANT_CONTEXT_SECRET: SECRET };
    expect(loadGatewayConfig(env).CORS_ORIGINS).toEqual([]);
    expect(
      loadGatewayConfig({ ...env, CORS_ORIGINS: 'https://app.example.com, http://localhost:5173' })
        .CORS_ORIGINS,
    ).toEqual(['https://app.example.com', 'http://localhost:5173']);
    for (const bad of ['*', 'app.example.com', 'https://app.example.com/path', 'ftp://x.example']) {
      expect(() => loadGatewayConfig({ ...env, CORS_ORIGINS: bad })).toThrow(
        /CORS_ORIGINS must list origins/,
      );
    }
  });

  it('turns introspection off in production unless INTROSPECTION says otherwise', () => {
    const at = (env: Record<string, string>) =>
      introspectionEnabled(loadGatewayConfig({ ...KAFKA, TENANT_CONTEXT_SECRET: SECRET, ...env }));
    expect(at({})).toBe(true);
    expect(at({ NODE_ENV: 'production' })).toBe(false);
    expect(at({ NODE_ENV: 'production', INTROSPECTION: 'true' })).toBe(true);
    expect(at({ INTROSPECTION: 'false' })).toBe(false);
    expect(() => loadGatewayConfig({ TENANT_CONTEXT_SECRET: SECRET, INTROSPECTION: 'yes' })).toThrow(
      ConfigError,
    );
  });

  it('reads the request limits: deadline, mutation counts and per-field limits', () => {
    const env = { ...KAFKA, TENANT_CONTEXT_SECRET: SECRET };
    const defaults = loadGatewayConfig(env);
    expect(defaults.REQUEST_TIMEOUT_MS).toBe(10_000);
    expect(defaults.MAX_MUTATIONS_PER_REQUEST).toBe(10);
    expect(defaults.MAX_QUERY_TOKENS).toBe(5_000);
    expect([...defaults.MUTATION_FIELD_LIMITS]).toEqual([
      ['createEdit', 1],
      ['createUpload', 1],
      ['createApiKey', 1],
      ['createWebhookEndpoint', 1],
    ]);
    expect([
      ...loadGatewayConfig({ ...env, MUTATION_FIELD_LIMITS: ' createEdit=3, cancelEdit=2 ' })
        .MUTATION_FIELD_LIMITS,
    ]).toEqual([
      ['createEdit', 3],
      ['cancelEdit', 2],
    ]);
    expect(loadGatewayConfig({ ...env, MUTATION_FIELD_LIMITS: '' }).MUTATION_FIELD_LIMITS.size).toBe(0);
    for (const bad of ['createEdit', 'createEdit=0', 'createEdit=x', 'create-edit=1'])
      expect(() => loadGatewayConfig({ ...env, MUTATION_FIELD_LIMITS: bad })).toThrow(
        /MUTATION_FIELD_LIMITS/,
      );
    expect(() => loadGatewayConfig({ ...env, REQUEST_TIMEOUT_MS: '10' })).toThrow(/REQUEST_TIMEOUT_MS/);
    expect(() => loadGatewayConfig({ ...env, REQUEST_TIMEOUT_MS: 'soon' })).toThrow(/REQUEST_TIMEOUT_MS/);
  });
});
