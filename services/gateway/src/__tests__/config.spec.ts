import { ConfigError } from '@f2f/common';

import { introspectionEnabled, loadGatewayConfig } from '../config';

const SECRET = 'x'.repeat(32);

describe('gateway configuration', () => {
  it('requires TENANT_CONTEXT_SECRET of at least 32 characters', () => {
    expect(() => loadGatewayConfig({})).toThrow(ConfigError);
    expect(() => loadGatewayConfig({ TENANT_CONTEXT_SECRET: 'short' })).toThrow(/at least 32 characters/);
    expect(loadGatewayConfig({ TENANT_CONTEXT_SECRET: SECRET }).TENANT_CONTEXT_SECRET).toBe(SECRET);
  });

  it('turns introspection off in production unless INTROSPECTION says otherwise', () => {
    const at = (env: Record<string, string>) =>
      introspectionEnabled(loadGatewayConfig({ TENANT_CONTEXT_SECRET: SECRET, ...env }));
    expect(at({})).toBe(true);
    expect(at({ NODE_ENV: 'production' })).toBe(false);
    expect(at({ NODE_ENV: 'production', INTROSPECTION: 'true' })).toBe(true);
    expect(at({ INTROSPECTION: 'false' })).toBe(false);
    expect(() => loadGatewayConfig({ TENANT_CONTEXT_SECRET: SECRET, INTROSPECTION: 'yes' })).toThrow(
      ConfigError,
    );
  });
});
