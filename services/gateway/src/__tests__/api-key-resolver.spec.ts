import { generateApiKey, verifyServiceToken } from '@f2f/platform';

import { ApiKeyResolver, KeyServiceUnavailableError, RESOLVE_AUDIENCE } from '../auth/api-key-resolver';

const SECRET = 's'.repeat(40);

function setUp(answer: () => Response | Promise<Response>) {
  let now = 1_000;
  const calls: { url: string; body: unknown; token: string | null }[] = [];
  const fetchImpl = (async (url: string, init: RequestInit) => {
    calls.push({
      url,
      body: JSON.parse(init.body as string),
      token: new Headers(init.headers).get('x-f2f-service-token'),
    });
    return answer();
  }) as unknown as typeof fetch;
  const resolver = new ApiKeyResolver({
    editsUrl: 'http://edits:4101/graphql',
    secret: SECRET,
    cacheTtlMs: 5_000,
    fetchImpl,
    now: () => now,
  });
  return { resolver, calls, advance: (ms: number) => (now += ms) };
}

const principal = { tenantId: 'acme', keyId: 'k', scopes: ['read'] };

describe('ApiKeyResolver', () => {
  it("asks edits with the key's prefix and hash (never the key), signed as the gateway, and caches the answer", async () => {
    const { key, prefix, hash } = generateApiKey();
    const { resolver, calls, advance } = setUp(() => Response.json({ key: principal }));
    expect(await resolver.resolve(key)).toEqual(principal);
    expect(calls).toHaveLength(1);
    expect(calls[0].url).toBe('http://edits:4101/internal/api-keys/resolve');
    expect(calls[0].body).toEqual({ prefix, hash });
    expect(JSON.stringify(calls[0])).not.toContain(key);
    expect(verifyServiceToken(calls[0].token!, RESOLVE_AUDIENCE, SECRET)).toBe('gateway');
    advance(4_999);
    await resolver.resolve(key);
    expect(calls).toHaveLength(1);
    advance(2);
    await resolver.resolve(key);
    expect(calls).toHaveLength(2);
  });

  it('answers null for a malformed key without asking, and for an unknown one', async () => {
    const { resolver, calls } = setUp(() => Response.json({ key: null }));
    expect(await resolver.resolve('f2f_nope')).toBeNull();
    expect(calls).toHaveLength(0);
    expect(await resolver.resolve(generateApiKey().key)).toBeNull();
    expect(calls).toHaveLength(1);
  });

  it('reports edits being unreachable or failing as unavailable, and caches nothing then', async () => {
    const { key } = generateApiKey();
    const failing = setUp(() => new Response('no', { status: 500 }));
    await expect(failing.resolver.resolve(key)).rejects.toBeInstanceOf(KeyServiceUnavailableError);
    await expect(failing.resolver.resolve(key)).rejects.toBeInstanceOf(KeyServiceUnavailableError);
    expect(failing.calls).toHaveLength(2);
  });
});
