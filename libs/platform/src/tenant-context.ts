import { createHmac, timingSafeEqual } from 'node:crypto';

import { z } from 'zod';

/**
 * The signed tenant context: who a request acts for, as the gateway established it from an API key.
 * The gateway signs it (HMAC-SHA256 with TENANT_CONTEXT_SECRET, shared by the gateway and every
 * subgraph) and every subgraph verifies it; a subgraph trusts nothing else about the caller.
 *
 * Wire form: `v1.<base64url(JSON claims)>.<base64url(HMAC-SHA256(secret, "v1." + claims part))>`.
 */
export const TENANT_CONTEXT_HEADER = 'x-f2f-tenant-context';

/** What an API key may do: read (queries), write (mutations), admin (API keys of its tenant). */
export const SCOPES = ['read', 'write', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

/** The shared secret, as every service that signs or verifies validates it at start-up. */
export const tenantContextSecretConfig = z
  .string({ error: 'TENANT_CONTEXT_SECRET is required (a random string of at least 32 characters)' })
  .min(32, { error: 'TENANT_CONTEXT_SECRET must be at least 32 characters' });

export interface TenantContext {
  tenantId: string;
  scopes: Scope[];
  /** The API key the request was made with (who acted). */
  keyId: string;
  requestId: string;
}

const claimsSchema = z.object({
  v: z.literal(1),
  /** What the token is for: a tenant context or a service-to-service call. */
  aud: z.string().min(1).max(100),
  tid: z.string().regex(/^[a-zA-Z0-9_-]{1,100}$/),
  scp: z.array(z.enum(SCOPES)).max(SCOPES.length),
  kid: z.string().min(1).max(100),
  rid: z.string().min(1).max(200),
  /** Expiry, milliseconds since the epoch. */
  exp: z.number().int().positive(),
});

const PREFIX = 'v1.';
const TENANT_AUDIENCE = 'tenant-context';
/** How long a signed context stays valid: long enough for clock skew, short enough to make replay useless. */
export const TENANT_CONTEXT_TTL_MS = 60_000;

export class TenantContextError extends Error {
  constructor(readonly reason: 'missing' | 'malformed' | 'bad-signature' | 'expired' | 'wrong-audience') {
    super(`tenant context ${reason}`);
    this.name = 'TenantContextError';
  }
}

const mac = (secret: string, data: string): Buffer => createHmac('sha256', secret).update(data).digest();

function sign(claims: z.infer<typeof claimsSchema>, secret: string): string {
  const body = PREFIX + Buffer.from(JSON.stringify(claims)).toString('base64url');
  return `${body}.${mac(secret, body).toString('base64url')}`;
}

function verify(token: string | undefined, secret: string, audience: string, now: number) {
  if (!token) throw new TenantContextError('missing');
  if (!token.startsWith(PREFIX) || token.length > 4096) throw new TenantContextError('malformed');
  const dot = token.lastIndexOf('.');
  if (dot <= PREFIX.length) throw new TenantContextError('malformed');
  const body = token.slice(0, dot);
  const given = Buffer.from(token.slice(dot + 1), 'base64url');
  const expected = mac(secret, body);
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    throw new TenantContextError('bad-signature');
  let claims: z.infer<typeof claimsSchema>;
  try {
    claims = claimsSchema.parse(JSON.parse(Buffer.from(body.slice(PREFIX.length), 'base64url').toString()));
  } catch {
    throw new TenantContextError('malformed');
  }
  if (claims.aud !== audience) throw new TenantContextError('wrong-audience');
  if (claims.exp <= now) throw new TenantContextError('expired');
  return claims;
}

/** Signs a tenant context for the subgraphs (the gateway does this for every subgraph request). */
export function signTenantContext(
  context: TenantContext,
  secret: string,
  { now = Date.now(), ttlMs = TENANT_CONTEXT_TTL_MS }: { now?: number; ttlMs?: number } = {},
): string {
  return sign(
    {
      v: 1,
      aud: TENANT_AUDIENCE,
      tid: context.tenantId,
      scp: context.scopes,
      kid: context.keyId,
      rid: context.requestId,
      exp: now + ttlMs,
    },
    secret,
  );
}

/** The tenant context of a signed token; throws TenantContextError when it is missing, forged or expired. */
export function verifyTenantContext(
  token: string | undefined,
  secret: string,
  now = Date.now(),
): TenantContext {
  const claims = verify(token, secret, TENANT_AUDIENCE, now);
  return { tenantId: claims.tid, scopes: claims.scp, keyId: claims.kid, requestId: claims.rid };
}

/**
 * A short-lived token for an internal service-to-service call (e.g. the gateway asking edits to
 * resolve an API key): the same signature, with the caller as key id and an audience of its own.
 */
export function signServiceToken(
  caller: string,
  audience: string,
  secret: string,
  { now = Date.now(), ttlMs = TENANT_CONTEXT_TTL_MS }: { now?: number; ttlMs?: number } = {},
): string {
  return sign(
    { v: 1, aud: `service:${audience}`, tid: 'service', scp: [], kid: caller, rid: caller, exp: now + ttlMs },
    secret,
  );
}

/** The caller of a service token for this audience; throws TenantContextError otherwise. */
export function verifyServiceToken(
  token: string | undefined,
  audience: string,
  secret: string,
  now = Date.now(),
): string {
  return verify(token, secret, `service:${audience}`, now).kid;
}
