import {
  signServiceToken,
  signTenantContext,
  TenantContextError,
  tenantContextSecretConfig,
  verifyServiceToken,
  verifyTenantContext,
} from '../tenant-context';

const SECRET = 'a'.repeat(32) + 'secret-of-the-platform';
const OTHER = 'b'.repeat(40);
const context = {
  tenantId: 'acme',
  scopes: ['read' as const, 'write' as const],
  keyId: 'k-1',
  requestId: 'r-1',
};
const NOW = 1_800_000_000_000;

const reason = (fn: () => unknown): string | undefined => {
  try {
    fn();
    return undefined;
  } catch (error) {
    return error instanceof TenantContextError ? error.reason : `not a TenantContextError: ${String(error)}`;
  }
};

describe('signed tenant context', () => {
  it('verifies what it signed, within its lifetime', () => {
    const token = signTenantContext(context, SECRET, { now: NOW, ttlMs: 60_000 });
    expect(verifyTenantContext(token, SECRET, NOW + 59_999)).toEqual(context);
  });

  it('refuses a missing, expired, forged, tampered or malformed token', () => {
    const token = signTenantContext(context, SECRET, { now: NOW, ttlMs: 60_000 });
    expect(reason(() => verifyTenantContext(undefined, SECRET, NOW))).toBe('missing');
    expect(reason(() => verifyTenantContext(token, SECRET, NOW + 60_000))).toBe('expired');
    expect(
      reason(() => verifyTenantContext(signTenantContext(context, OTHER, { now: NOW }), SECRET, NOW)),
    ).toBe('bad-signature');
    // Another tenant in the claims, the signature kept.
    const [v, claims, mac] = token.split('.');
    const forged = JSON.parse(Buffer.from(claims, 'base64url').toString()) as Record<string, unknown>;
    forged.tid = 'evil';
    const tampered = `${v}.${Buffer.from(JSON.stringify(forged)).toString('base64url')}.${mac}`;
    expect(reason(() => verifyTenantContext(tampered, SECRET, NOW))).toBe('bad-signature');
    expect(reason(() => verifyTenantContext(`${v}.${claims}.${mac.slice(0, -2)}`, SECRET, NOW))).toBe(
      'bad-signature',
    );
    expect(reason(() => verifyTenantContext('acme', SECRET, NOW))).toBe('malformed');
    expect(reason(() => verifyTenantContext('v1.', SECRET, NOW))).toBe('malformed');
  });

  it('refuses a well-signed token whose claims are not a tenant context', () => {
    const service = signServiceToken('gateway', 'edits/resolve-api-key', SECRET, { now: NOW });
    expect(reason(() => verifyTenantContext(service, SECRET, NOW))).toBe('wrong-audience');
    expect(verifyServiceToken(service, 'edits/resolve-api-key', SECRET, NOW)).toBe('gateway');
    expect(reason(() => verifyServiceToken(service, 'other', SECRET, NOW))).toBe('wrong-audience');
    const tenant = signTenantContext(context, SECRET, { now: NOW });
    expect(reason(() => verifyServiceToken(tenant, 'edits/resolve-api-key', SECRET, NOW))).toBe(
      'wrong-audience',
    );
  });

  it('requires a secret of at least 32 characters', () => {
    expect(tenantContextSecretConfig.safeParse('x'.repeat(31)).success).toBe(false);
    expect(tenantContextSecretConfig.safeParse(undefined).success).toBe(false);
    expect(tenantContextSecretConfig.safeParse('x'.repeat(32)).success).toBe(true);
  });
});
