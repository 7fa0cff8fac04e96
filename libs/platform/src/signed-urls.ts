import { createHmac, timingSafeEqual } from 'node:crypto';

import { z } from 'zod';

/**
 * Signed URLs for images over the API: the only way a client sends an image by upload or gets one
 * (a source, a frame, a collage) back. Both are capabilities, like an S3 presigned URL: whoever
 * holds the URL may do the one thing it names until it expires, without an API key.
 *
 * A token is `<kind>1.<base64url(JSON claims)>.<base64url(HMAC-SHA256(SIGNED_URL_SECRET, "<kind>1." + claims))>`,
 * in the path of the gateway's public URL:
 *   - `PUT  <PUBLIC_BASE_URL>/v1/uploads/<token>`: kind `u`, binds the tenant, the upload's id, its
 *     content type, its largest size and the expiry;
 *   - `GET  <PUBLIC_BASE_URL>/v1/files/<token>`: kind `f`, binds the tenant, the blob key (always under
 *     `tenants/<tenantId>/`) and the expiry.
 * The services that sign (edits, frame-selection) and the gateway and edits, which verify, share the secret.
 */
export const UPLOADS_PATH = '/v1/uploads/';
export const FILES_PATH = '/v1/files/';

/** The image types a client may upload (the ones the pipeline reads). */
export const UPLOAD_CONTENT_TYPES = ['image/png', 'image/jpeg', 'image/webp'] as const;
export type UploadContentType = (typeof UPLOAD_CONTENT_TYPES)[number];

export const isUploadContentType = (value: string): value is UploadContentType =>
  (UPLOAD_CONTENT_TYPES as readonly string[]).includes(value);

/** SIGNED_URL_SECRET, as every service that signs or verifies URLs validates it at start-up. */
export const signedUrlSecretConfig = z
  .string({ error: 'SIGNED_URL_SECRET is required (a random string of at least 32 characters)' })
  .min(32, { error: 'SIGNED_URL_SECRET must be at least 32 characters' });

/** What a service that hands out signed URLs needs: the secret, the gateway's public origin, the lifetime. */
export const signedUrlConfigShape = {
  SIGNED_URL_SECRET: signedUrlSecretConfig,
  /** The gateway's origin as clients reach it (signed URLs point there), e.g. https://api.example.com. */
  PUBLIC_BASE_URL: z
    .url({ error: 'PUBLIC_BASE_URL must be the http(s) origin clients reach the gateway at' })
    .default('http://127.0.0.1:4000')
    .transform((v) => v.replace(/\/+$/, '')),
  /** How long a download URL (Frame.url, Edit.resultUrl, ...) stays valid. */
  SIGNED_URL_TTL_SECONDS: z.coerce
    .number()
    .int()
    .min(10)
    .max(7 * 24 * 3600)
    .default(900),
};

export type SignedTokenFailure = 'malformed' | 'bad-signature' | 'expired' | 'foreign-key';

export class SignedTokenError extends Error {
  constructor(readonly reason: SignedTokenFailure) {
    super(`signed URL ${reason}`);
    this.name = 'SignedTokenError';
  }
}

export interface FileGrant {
  tenantId: string;
  /** A blob key under `tenants/<tenantId>/`. */
  key: string;
  expiresAt: Date;
}

export interface UploadGrant {
  tenantId: string;
  uploadId: string;
  contentType: UploadContentType;
  /** The largest body accepted, in bytes. */
  maxBytes: number;
  expiresAt: Date;
}

const TENANT = /^[a-zA-Z0-9_-]{1,100}$/;
/** Blob keys: relative, slash-separated, safe characters, no `.`/`..`/empty segments (libs/storage). */
const SAFE_KEY = /^[a-zA-Z0-9._\-/]{1,1024}$/;

/** Whether a blob key is a plain key inside the tenant's own prefix (no traversal can leave it). */
export function isTenantKey(tenantId: string, key: string): boolean {
  return (
    TENANT.test(tenantId) &&
    SAFE_KEY.test(key) &&
    key.startsWith(`tenants/${tenantId}/`) &&
    !key.split('/').some((part) => part === '' || part === '.' || part === '..')
  );
}

const fileClaims = z.object({
  t: z.string().regex(TENANT),
  k: z.string().min(1).max(1024),
  /** Expiry, seconds since the epoch. */
  e: z.number().int().positive(),
});

const uploadClaims = z.object({
  t: z.string().regex(TENANT),
  u: z.uuid(),
  c: z.enum(UPLOAD_CONTENT_TYPES),
  m: z.number().int().positive(),
  e: z.number().int().positive(),
});

const mac = (secret: string, data: string): Buffer => createHmac('sha256', secret).update(data).digest();

function sign(kind: 'f' | 'u', claims: object, secret: string): string {
  const body = `${kind}1.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
  return `${body}.${mac(secret, body).toString('base64url')}`;
}

function open<T>(kind: 'f' | 'u', token: string, secret: string, schema: z.ZodType<T>): T {
  if (typeof token !== 'string' || token.length > 4096 || !/^[a-z]1\.[\w-]+\.[\w-]+$/.test(token))
    throw new SignedTokenError('malformed');
  const dot = token.lastIndexOf('.');
  const body = token.slice(0, dot);
  const given = Buffer.from(token.slice(dot + 1), 'base64url');
  const expected = mac(secret, body);
  // The signature covers the kind: an upload token is never a valid file token, nor the reverse.
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    throw new SignedTokenError('bad-signature');
  if (!body.startsWith(`${kind}1.`)) throw new SignedTokenError('malformed');
  try {
    return schema.parse(JSON.parse(Buffer.from(body.slice(3), 'base64url').toString()));
  } catch {
    throw new SignedTokenError('malformed');
  }
}

const seconds = (date: Date) => Math.floor(date.getTime() / 1000);

export function signFileToken(grant: FileGrant, secret: string): string {
  if (!isTenantKey(grant.tenantId, grant.key)) {
    // Only a tenant's own objects ever get a URL; a key elsewhere is a bug, never signed.
    throw new Error(`refusing to sign ${JSON.stringify(grant.key)}: not under tenants/${grant.tenantId}/`);
  }
  return sign('f', { t: grant.tenantId, k: grant.key, e: seconds(grant.expiresAt) }, secret);
}

/**
 * The grant of a download token; throws SignedTokenError when it is malformed, forged, expired, or
 * names a key outside its tenant's prefix.
 */
export function verifyFileToken(token: string, secret: string, now = new Date()): FileGrant {
  const claims = open('f', token, secret, fileClaims);
  if (!isTenantKey(claims.t, claims.k)) throw new SignedTokenError('foreign-key');
  if (claims.e * 1000 <= now.getTime()) throw new SignedTokenError('expired');
  return { tenantId: claims.t, key: claims.k, expiresAt: new Date(claims.e * 1000) };
}

export function signUploadToken(grant: UploadGrant, secret: string): string {
  return sign(
    'u',
    {
      t: grant.tenantId,
      u: grant.uploadId,
      c: grant.contentType,
      m: grant.maxBytes,
      e: seconds(grant.expiresAt),
    },
    secret,
  );
}

/** The grant of an upload token; throws SignedTokenError when it is malformed, forged or expired. */
export function verifyUploadToken(token: string, secret: string, now = new Date()): UploadGrant {
  const claims = open('u', token, secret, uploadClaims);
  if (claims.e * 1000 <= now.getTime()) throw new SignedTokenError('expired');
  return {
    tenantId: claims.t,
    uploadId: claims.u,
    contentType: claims.c,
    maxBytes: claims.m,
    expiresAt: new Date(claims.e * 1000),
  };
}

export interface SignedUrlOptions {
  secret: string;
  /** The gateway's public origin, without a trailing slash. */
  publicBaseUrl: string;
  /** Lifetime of download URLs. */
  ttlSeconds: number;
  now?: () => Date;
}

/** Makes the signed URLs a subgraph hands out (the adapter resolvers use; tests give it a clock). */
export class SignedUrls {
  private readonly now: () => Date;

  constructor(private readonly options: SignedUrlOptions) {
    this.now = options.now ?? (() => new Date());
  }

  /** A short-lived download URL of a blob of the tenant. */
  fileUrl(tenantId: string, key: string): string {
    const expiresAt = new Date(this.now().getTime() + this.options.ttlSeconds * 1000);
    return `${this.options.publicBaseUrl}${FILES_PATH}${signFileToken({ tenantId, key, expiresAt }, this.options.secret)}`;
  }

  /** The URL an upload is PUT to. */
  uploadUrl(grant: UploadGrant): string {
    return `${this.options.publicBaseUrl}${UPLOADS_PATH}${signUploadToken(grant, this.options.secret)}`;
  }
}

export const SIGNED_URLS = Symbol('SignedUrls');

/**
 * Codes of the upload and download endpoints' JSON errors (`{ "code", "message" }`), and their HTTP
 * statuses: the gateway and edits answer with these and nothing else.
 */
export const TRANSFER_ERROR_CODES = [
  'INVALID_SIGNATURE',
  'URL_EXPIRED',
  'UPLOAD_EXPIRED',
  'UPLOAD_NOT_FOUND',
  'UPLOAD_ALREADY_USED',
  'UNSUPPORTED_MEDIA_TYPE',
  'LENGTH_REQUIRED',
  'IMAGE_TOO_LARGE',
  'INVALID_IMAGE',
  'FILE_NOT_FOUND',
  'RATE_LIMITED',
  'SERVICE_UNAVAILABLE',
  'INTERNAL',
] as const;
export type TransferErrorCode = (typeof TRANSFER_ERROR_CODES)[number];

export function transferStatus(code: TransferErrorCode): number {
  switch (code) {
    case 'INVALID_SIGNATURE':
      return 403;
    case 'URL_EXPIRED':
    case 'UPLOAD_EXPIRED':
      return 410;
    case 'UPLOAD_NOT_FOUND':
    case 'FILE_NOT_FOUND':
      return 404;
    case 'UPLOAD_ALREADY_USED':
      return 409;
    case 'UNSUPPORTED_MEDIA_TYPE':
      return 415;
    case 'LENGTH_REQUIRED':
      return 411;
    case 'IMAGE_TOO_LARGE':
      return 413;
    case 'INVALID_IMAGE':
      return 422;
    case 'RATE_LIMITED':
      return 429;
    case 'SERVICE_UNAVAILABLE':
      return 503;
    case 'INTERNAL':
      return 500;
    default: {
      const never: never = code;
      throw new Error(`unhandled transfer error ${String(never)}`);
    }
  }
}

export class TransferError extends Error {
  constructor(
    readonly code: TransferErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'TransferError';
  }

  get status(): number {
    return transferStatus(this.code);
  }

  toJSON(): { code: TransferErrorCode; message: string; details?: Record<string, unknown> } {
    return { code: this.code, message: this.message, ...(this.details ? { details: this.details } : {}) };
  }
}

/** A token failure as the endpoint answers it: expired → 410, anything else → 403, never the file. */
export function tokenFailure(error: SignedTokenError, kind: 'upload' | 'file'): TransferError {
  if (error.reason === 'expired')
    return kind === 'upload'
      ? new TransferError('UPLOAD_EXPIRED', 'this upload URL has expired; ask for a new one (createUpload)')
      : new TransferError('URL_EXPIRED', 'this URL has expired; query the field again for a fresh one');
  return new TransferError('INVALID_SIGNATURE', `this ${kind} URL is not valid (${error.reason})`);
}

type Headers = Record<string, string | string[] | undefined>;
const header = (headers: Headers, name: string) => {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
};

/**
 * The checks of an upload request that need only its headers, before any byte of the body is read:
 * a Content-Type of the allowlist that is the one signed into the URL, and a Content-Length that is
 * present and within the signed size. Returns the declared length.
 */
export function checkUploadHeaders(grant: UploadGrant, headers: Headers): number {
  const type = header(headers, 'content-type')?.split(';')[0].trim().toLowerCase() ?? '';
  if (!isUploadContentType(type))
    throw new TransferError(
      'UNSUPPORTED_MEDIA_TYPE',
      `Content-Type ${JSON.stringify(type)} is not accepted; send ${UPLOAD_CONTENT_TYPES.join(', ')}`,
    );
  if (type !== grant.contentType)
    throw new TransferError(
      'UNSUPPORTED_MEDIA_TYPE',
      `Content-Type ${type} is not the type this URL was made for (${grant.contentType})`,
    );
  if (header(headers, 'transfer-encoding'))
    throw new TransferError('LENGTH_REQUIRED', 'send the image with a Content-Length, not chunked');
  const length = header(headers, 'content-length');
  if (length === undefined || !/^\d{1,12}$/.test(length))
    throw new TransferError('LENGTH_REQUIRED', 'a Content-Length header is required');
  const bytes = Number(length);
  if (bytes === 0) throw new TransferError('INVALID_IMAGE', 'the body is empty');
  if (bytes > grant.maxBytes)
    throw new TransferError(
      'IMAGE_TOO_LARGE',
      `the body is ${bytes} bytes; this URL accepts at most ${grant.maxBytes}`,
      { bytes, maxBytes: grant.maxBytes },
    );
  return bytes;
}
