import { spawnSync } from 'node:child_process';
import path from 'node:path';

import { REPO_ROOT, SERVICE_NAMES } from '@f2f/launcher';

/** Every service validates its whole configuration at start-up and refuses to start with a clear message. */
describe('start-up configuration', () => {
  const start = (service: string, env: Record<string, string>) =>
    spawnSync(process.execPath, [path.join(REPO_ROOT, 'services', service, 'dist', 'main.js')], {
      env: { PATH: process.env.PATH ?? '', ...env },
      encoding: 'utf8',
      timeout: 30_000,
    });

  it.each(SERVICE_NAMES.filter((s) => s !== 'gateway' && s !== 'preview-generator'))(
    '%s refuses to start without DATABASE_URL and with a malformed broker list',
    (service) => {
      const result = start(service, { KAFKA_BROKERS: 'not a broker', GENERATOR_ADDRESSES: '127.0.0.1:1' });
      expect(result.status).toBe(78);
      expect(result.stderr).toContain(`${service}: invalid configuration`);
      expect(result.stderr).toContain('DATABASE_URL is required');
      expect(result.stderr).toContain('each broker must be host:port');
    },
  );

  it('video-generation names a missing generator address', () => {
    const result = start('video-generation', {
      DATABASE_URL: 'postgresql://u:p@127.0.0.1:1/db',
      KAFKA_BROKERS: '127.0.0.1:1',
    });
    expect(result.status).toBe(78);
    expect(result.stderr).toContain('GENERATOR_ADDRESSES is required');
  });

  it('the gateway and the preview generator refuse malformed values', () => {
    expect(start('gateway', { EDITS_URL: 'not a url' }).stderr).toContain('EDITS_URL must be an http(s) URL');
    const preview = start('preview-generator', { STEP_DELAY_MS: '-5' });
    expect(preview.status).toBe(78);
    expect(preview.stderr).toContain('STEP_DELAY_MS');
  });

  it('webhooks refuses to start without a secret encryption key, or with malformed webhook settings', () => {
    const env = {
      DATABASE_URL: 'postgresql://u:p@127.0.0.1:1/db',
      KAFKA_BROKERS: '127.0.0.1:1',
      TENANT_CONTEXT_SECRET: 'x'.repeat(32),
    };
    const missing = start('webhooks', env);
    expect(missing.status).toBe(78);
    expect(missing.stderr).toContain('WEBHOOK_SECRET_ENCRYPTION_KEY is required');
    const bad = start('webhooks', {
      ...env,
      WEBHOOK_SECRET_ENCRYPTION_KEY: 'k'.repeat(32),
      WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'yes',
      WEBHOOK_RETRY_BASE_MS: '5000',
      WEBHOOK_RETRY_MAX_MS: '1000',
    });
    expect(bad.status).toBe(78);
    expect(bad.stderr).toContain('WEBHOOK_ALLOW_PRIVATE_NETWORKS must be true or false');
  });

  it.each(['gateway', 'edits', 'captioning', 'metrics', 'webhooks'])(
    '%s refuses to start without TENANT_CONTEXT_SECRET, or with one under 32 characters',
    (service) => {
      const env = { DATABASE_URL: 'postgresql://u:p@127.0.0.1:1/db', KAFKA_BROKERS: '127.0.0.1:1' };
      const missing = start(service, env);
      expect(missing.status).toBe(78);
      expect(missing.stderr).toContain('TENANT_CONTEXT_SECRET is required');
      const short = start(service, { ...env, TENANT_CONTEXT_SECRET: 'x'.repeat(31) });
      expect(short.status).toBe(78);
      expect(short.stderr).toContain('TENANT_CONTEXT_SECRET must be at least 32 characters');
    },
  );
});
