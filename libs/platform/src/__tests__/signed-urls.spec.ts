import {
  checkUploadHeaders,
  FILES_PATH,
  isTenantKey,
  SignedTokenError,
  SignedUrls,
  signFileToken,
  signUploadToken,
  tokenFailure,
  TransferError,
  type UploadGrant,
  UPLOADS_PATH,
  verifyFileToken,
  verifyUploadToken,
} from '../signed-urls';

const secret = 's'.repeat(40);
const now = new Date('2026-11-29T12:00:00Z');
const later = (s: number) => new Date(now.getTime() + s * 1000);
const key = 'tenants/acme/edits/7d0c6f1e-8a51-4f6e-9a57-3f0e2b9b1c11/candidates/0/frames/004.png';

const reason = (work: () => unknown): string => {
  try {
    work();
  } catch (error) {
    return error instanceof SignedTokenError ? error.reason : String(error);
  }
  return 'no error';
};

/** The token with one character of its claims part changed (still base64url). */
const tamper = (token: string, at = 5) =>
  token.slice(0, at) + (token[at] === 'A' ? 'B' : 'A') + token.slice(at + 1);

const upload: UploadGrant = {
  tenantId: 'acme',
  uploadId: '7d0c6f1e-8a51-4f6e-9a57-3f0e2b9b1c11',
  contentType: 'image/png',
  maxBytes: 5000,
  expiresAt: later(900),
};

describe('file tokens', () => {
  it('round-trips the tenant, key and expiry', () => {
    const token = signFileToken({ tenantId: 'acme', key, expiresAt: later(60) }, secret);
    expect(token).toMatch(/^f1\.[\w-]+\.[\w-]+$/);
    expect(verifyFileToken(token, secret, now)).toEqual({ tenantId: 'acme', key, expiresAt: later(60) });
  });

  it('refuses a tampered token, a token of another secret, a truncated one and garbage', () => {
    const token = signFileToken({ tenantId: 'acme', key, expiresAt: later(60) }, secret);
    expect(reason(() => verifyFileToken(tamper(token), secret, now))).toBe('bad-signature');
    expect(reason(() => verifyFileToken(tamper(token, token.length - 2), secret, now))).toBe('bad-signature');
    expect(reason(() => verifyFileToken(token, 't'.repeat(40), now))).toBe('bad-signature');
    expect(reason(() => verifyFileToken(token.slice(0, token.lastIndexOf('.')), secret, now))).toBe(
      'malformed',
    );
    expect(reason(() => verifyFileToken('../../etc/passwd', secret, now))).toBe('malformed');
    expect(reason(() => verifyFileToken('', secret, now))).toBe('malformed');
  });

  it('refuses an expired token (at its expiry, not only after)', () => {
    const token = signFileToken({ tenantId: 'acme', key, expiresAt: later(60) }, secret);
    expect(reason(() => verifyFileToken(token, secret, later(60)))).toBe('expired');
    expect(reason(() => verifyFileToken(token, secret, later(59)))).toBe('no error');
  });

  it('never signs, nor accepts, a key outside the tenant prefix', () => {
    for (const bad of [
      'tenants/other/edits/x/source.png',
      'tenants/acme/../other/source.png',
      'tenants/acme//x.png',
      'tenants/acme/./x.png',
      '/tenants/acme/x.png',
      'tenants/acmex/y.png',
      'tenants/acme/x%2f..png',
    ]) {
      expect(isTenantKey('acme', bad)).toBe(false);
      expect(() => signFileToken({ tenantId: 'acme', key: bad, expiresAt: later(60) }, secret)).toThrow(
        /not under tenants\/acme/,
      );
    }
    expect(isTenantKey('acme', key)).toBe(true);
    // A signature over a foreign key (only a leaked secret could make one) is still refused.
    const forged = `f1.${Buffer.from(JSON.stringify({ t: 'acme', k: 'tenants/other/x.png', e: 2e9 })).toString('base64url')}`;
    const { createHmac } = jest.requireActual<typeof import('node:crypto')>('node:crypto');
    const token = `${forged}.${createHmac('sha256', secret).update(forged).digest('base64url')}`;
    expect(reason(() => verifyFileToken(token, secret, now))).toBe('foreign-key');
  });

  it('is not an upload token, nor the reverse', () => {
    const file = signFileToken({ tenantId: 'acme', key, expiresAt: later(60) }, secret);
    const up = signUploadToken(upload, secret);
    expect(reason(() => verifyUploadToken(file, secret, now))).toBe('malformed');
    expect(reason(() => verifyFileToken(up, secret, now))).toBe('malformed');
  });
});

describe('upload tokens', () => {
  it('round-trips the tenant, upload, type, size and expiry', () => {
    expect(verifyUploadToken(signUploadToken(upload, secret), secret, now)).toEqual(upload);
  });

  it('refuses tampering and expiry', () => {
    const token = signUploadToken(upload, secret);
    expect(reason(() => verifyUploadToken(tamper(token), secret, now))).toBe('bad-signature');
    expect(reason(() => verifyUploadToken(token, secret, later(900)))).toBe('expired');
  });

  it('maps failures to 410 (expired) and 403 (anything else)', () => {
    expect(tokenFailure(new SignedTokenError('expired'), 'upload')).toMatchObject({
      code: 'UPLOAD_EXPIRED',
      status: 410,
    });
    expect(tokenFailure(new SignedTokenError('expired'), 'file')).toMatchObject({
      code: 'URL_EXPIRED',
      status: 410,
    });
    expect(tokenFailure(new SignedTokenError('bad-signature'), 'file')).toMatchObject({
      code: 'INVALID_SIGNATURE',
      status: 403,
    });
  });
});

describe('checkUploadHeaders', () => {
  const code = (headers: Record<string, string>) => {
    try {
      return checkUploadHeaders(upload, headers);
    } catch (error) {
      return (error as TransferError).code;
    }
  };

  it('accepts the signed type with a length within the limit', () => {
    expect(code({ 'content-type': 'image/png', 'content-length': '4000' })).toBe(4000);
    expect(code({ 'content-type': 'IMAGE/PNG; charset=binary', 'content-length': '5000' })).toBe(5000);
  });

  it('refuses other types, a missing or chunked length, an empty or oversized body', () => {
    expect(code({ 'content-type': 'image/gif', 'content-length': '10' })).toBe('UNSUPPORTED_MEDIA_TYPE');
    expect(code({ 'content-type': 'image/jpeg', 'content-length': '10' })).toBe('UNSUPPORTED_MEDIA_TYPE');
    expect(code({ 'content-length': '10' })).toBe('UNSUPPORTED_MEDIA_TYPE');
    expect(code({ 'content-type': 'image/png' })).toBe('LENGTH_REQUIRED');
    expect(code({ 'content-type': 'image/png', 'transfer-encoding': 'chunked' })).toBe('LENGTH_REQUIRED');
    expect(code({ 'content-type': 'image/png', 'content-length': '-1' })).toBe('LENGTH_REQUIRED');
    expect(code({ 'content-type': 'image/png', 'content-length': '0' })).toBe('INVALID_IMAGE');
    expect(code({ 'content-type': 'image/png', 'content-length': '5001' })).toBe('IMAGE_TOO_LARGE');
  });
});

describe('SignedUrls', () => {
  it('makes URLs on the public origin that verify', () => {
    const urls = new SignedUrls({
      secret,
      publicBaseUrl: 'https://api.example.com',
      ttlSeconds: 900,
      now: () => now,
    });
    const url = urls.fileUrl('acme', key);
    expect(url.startsWith(`https://api.example.com${FILES_PATH}`)).toBe(true);
    const grant = verifyFileToken(url.slice(url.lastIndexOf('/') + 1), secret, now);
    expect(grant.expiresAt).toEqual(later(900));
    const uploadUrl = urls.uploadUrl(upload);
    expect(uploadUrl.startsWith(`https://api.example.com${UPLOADS_PATH}`)).toBe(true);
  });
});
