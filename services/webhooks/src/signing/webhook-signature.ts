import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Webhook signatures, as receivers verify them (README "Webhooks"):
 *
 *   F2F-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>[,v1=<...>]
 *
 * The secret is the whole `whsec_...` string (its UTF-8 bytes are the HMAC key). While a rotated
 * secret is in its grace period the header carries one v1 per secret; a receiver accepts the request
 * when any v1 matches its secret. The timestamp is signed with the body, so a receiver that refuses
 * old timestamps (5 minutes is usual) also refuses replays.
 */
export const SIGNATURE_HEADER = 'F2F-Signature';
export const DEFAULT_TOLERANCE_SECONDS = 300;

/** A new endpoint secret: `whsec_` and 32 random bytes, base64url. */
export function generateWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64url')}`;
}

export function signaturePayload(timestamp: number, body: string): string {
  return `${timestamp}.${body}`;
}

export function computeSignature(secret: string, timestamp: number, body: string): string {
  return createHmac('sha256', secret).update(signaturePayload(timestamp, body)).digest('hex');
}

/** The header value for a body, signed with each secret (the current one first). */
export function signatureHeader(secrets: readonly string[], timestamp: number, body: string): string {
  if (secrets.length === 0) throw new Error('at least one secret is needed to sign');
  return [`t=${timestamp}`, ...secrets.map((s) => `v1=${computeSignature(s, timestamp, body)}`)].join(',');
}

export type SignatureFailure = 'malformed' | 'no-match' | 'too-old' | 'in-the-future';

export class WebhookSignatureError extends Error {
  constructor(readonly reason: SignatureFailure) {
    super(`webhook signature ${reason}`);
    this.name = 'WebhookSignatureError';
  }
}

/**
 * Verifies a received webhook (the raw body, exactly as received); returns its signed timestamp or
 * throws WebhookSignatureError.
 */
export function verifyWebhookSignature(
  body: string,
  header: string | undefined,
  secret: string,
  {
    toleranceSeconds = DEFAULT_TOLERANCE_SECONDS,
    now = Date.now(),
  }: { toleranceSeconds?: number; now?: number } = {},
): number {
  if (!header) throw new WebhookSignatureError('malformed');
  let timestamp: number | undefined;
  const signatures: Buffer[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) throw new WebhookSignatureError('malformed');
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === 't') {
      if (!/^\d{1,12}$/.test(value) || timestamp !== undefined) throw new WebhookSignatureError('malformed');
      timestamp = Number(value);
    } else if (key === 'v1') {
      if (!/^[0-9a-f]{64}$/.test(value)) throw new WebhookSignatureError('malformed');
      signatures.push(Buffer.from(value, 'hex'));
    } // other schemes are ignored: a receiver keeps working when a new one is added
  }
  if (timestamp === undefined || signatures.length === 0) throw new WebhookSignatureError('malformed');
  const expected = Buffer.from(computeSignature(secret, timestamp, body), 'hex');
  if (!signatures.some((s) => timingSafeEqual(s, expected))) throw new WebhookSignatureError('no-match');
  const age = Math.floor(now / 1000) - timestamp;
  if (age > toleranceSeconds) throw new WebhookSignatureError('too-old');
  if (age < -toleranceSeconds) throw new WebhookSignatureError('in-the-future');
  return timestamp;
}
