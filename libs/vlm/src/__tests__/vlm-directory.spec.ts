import { ConfigError } from '@f2f/common';
import { z } from 'zod';

import { vlmDirectoryFrom } from '../openai-compatible-vlm';
import { vlmConfigShape, VlmDirectory, vlmTenantOverridesShape } from '../vlm';

const schema = z.object({ ...vlmConfigShape, ...vlmTenantOverridesShape });
const parse = (env: Record<string, string>) => schema.parse(env);

describe('per-tenant VLM configuration (VLM_TENANT_OVERRIDES)', () => {
  it('gives tenants without an override the deployment VLM, and others their own', () => {
    const config = parse({
      VLM_BASE_URL: 'http://vlm.internal/v1',
      VLM_MODEL: 'gpt-4o',
      VLM_API_KEY: 'deployment-key',
      VLM_TENANT_OVERRIDES: JSON.stringify({
        acme: {
          baseUrl: 'http://vllm.acme/v1',
          model: 'qwen2-vl',
          apiKeyEnv: 'ACME_VLM_KEY',
          timeoutMs: 5000,
        },
        cheap: { model: 'gpt-4o-mini' },
        offline: { disabled: true },
      }),
    });
    const directory = vlmDirectoryFrom('captioning', config, { ACME_VLM_KEY: 'acme-key' });
    expect(directory.forTenant('default')?.model).toBe('gpt-4o');
    expect(directory.forTenant('acme')?.model).toBe('qwen2-vl');
    expect(directory.forTenant('cheap')?.model).toBe('gpt-4o-mini');
    expect(directory.forTenant('offline')).toBeNull();
    expect(directory.overriddenTenants.sort()).toEqual(['acme', 'cheap', 'offline']);
  });

  it('lets a tenant have a VLM where the deployment has none', () => {
    const config = parse({ VLM_TENANT_OVERRIDES: '{"acme":{"baseUrl":"http://vllm.acme/v1"}}' });
    const directory = vlmDirectoryFrom('frame-selection', config, {});
    expect(directory.deploymentVlm).toBeNull();
    expect(directory.forTenant('other')).toBeNull();
    expect(directory.forTenant('acme')?.model).toBe('gpt-4o');
  });

  it('refuses at start-up an override without a URL to use, or naming an unset key variable', () => {
    const noUrl = parse({ VLM_TENANT_OVERRIDES: '{"acme":{"model":"x"}}' });
    expect(() => vlmDirectoryFrom('captioning', noUrl, {})).toThrow(ConfigError);
    expect(() => vlmDirectoryFrom('captioning', noUrl, {})).toThrow(/acme: no baseUrl/);
    const noKey = parse({
      VLM_BASE_URL: 'http://vlm/v1',
      VLM_TENANT_OVERRIDES: '{"acme":{"apiKeyEnv":"ACME_KEY"}}',
    });
    expect(() => vlmDirectoryFrom('captioning', noKey, {})).toThrow(/ACME_KEY is not set/);
  });

  it('refuses malformed overrides with a message naming the problem', () => {
    const issues = (value: string) =>
      schema
        .safeParse({ VLM_TENANT_OVERRIDES: value })
        .error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`)
        .join('; ');
    expect(issues('{not json')).toMatch(/not JSON/);
    expect(issues('{"acme":{"baseUrl":"not a url"}}')).toMatch(/acme\.baseUrl/);
    expect(issues('{"acme":{"colour":"red"}}')).toMatch(/colour/);
    expect(issues('{"bad tenant!":{}}')).toMatch(/VLM_TENANT_OVERRIDES.bad tenant!: Invalid key/);
    expect(issues('{"acme":{"apiKeyEnv":"lower"}}')).toMatch(/environment variable/);
  });

  it('single() serves one VLM (or none) to every tenant', () => {
    expect(VlmDirectory.single(null).forTenant('x')).toBeNull();
    const vlm = { model: 'm', complete: jest.fn() };
    expect(VlmDirectory.single(vlm).forTenant('x')).toBe(vlm);
  });
});
