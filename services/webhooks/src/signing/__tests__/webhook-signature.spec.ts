import { createHmac } from 'node:crypto';

import {
  computeSignature,
  generateWebhookSecret,
  signatureHeader,
  verifyWebhookSignature,
  WebhookSignatureError,
} from '../webhook-signature';

const body = JSON.stringify({ id: 'evt', type: 'frame.selected', data: { editId: 'e', n: 'ü' } });
const now = Date.UTC(2026, 10, 29, 12, 0, 0);
const t = Math.floor(now / 1000);

const reason = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    if (e instanceof WebhookSignatureError) return e.reason;
    throw e;
  }
  return 'accepted';
};

describe('webhook signatures', () => {
  const secret = generateWebhookSecret();

  it('makes secrets of 256 random bits, never twice the same', () => {
    expect(secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(generateWebhookSecret()).not.toBe(secret);
  });

  it('signs "<t>.<raw body>" with HMAC-SHA256 keyed by the whole secret, as the README documents', () => {
    const expected = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
    expect(computeSignature(secret, t, body)).toBe(expected);
    expect(signatureHeader([secret], t, body)).toBe(`t=${t},v1=${expected}`);
  });

  it('verifies its own header, with one v1 per secret during a rotation', () => {
    const old = generateWebhookSecret();
    const header = signatureHeader([secret, old], t, body);
    expect(header.split(',')).toHaveLength(3);
    expect(verifyWebhookSignature(body, header, secret, { now })).toBe(t);
    expect(verifyWebhookSignature(body, header, old, { now })).toBe(t);
  });

  it('refuses a wrong secret, a changed body, a changed timestamp and a malformed header', () => {
    const header = signatureHeader([secret], t, body);
    expect(reason(() => verifyWebhookSignature(body, header, generateWebhookSecret(), { now }))).toBe(
      'no-match',
    );
    expect(reason(() => verifyWebhookSignature(`${body} `, header, secret, { now }))).toBe('no-match');
    expect(
      reason(() => verifyWebhookSignature(body, header.replace(`t=${t}`, `t=${t + 1}`), secret, { now })),
    ).toBe('no-match');
    for (const bad of [
      undefined,
      '',
      'v1=abc',
      `t=${t}`,
      `t=x,v1=${'0'.repeat(64)}`,
      `t=${t},v1=zz`,
      'garbage',
    ])
      expect(reason(() => verifyWebhookSignature(body, bad, secret, { now }))).toBe('malformed');
  });

  it('refuses a timestamp outside the tolerance (a replay), either way', () => {
    const old = signatureHeader([secret], t - 301, body);
    expect(reason(() => verifyWebhookSignature(body, old, secret, { now }))).toBe('too-old');
    expect(verifyWebhookSignature(body, old, secret, { now, toleranceSeconds: 600 })).toBe(t - 301);
    const future = signatureHeader([secret], t + 301, body);
    expect(reason(() => verifyWebhookSignature(body, future, secret, { now }))).toBe('in-the-future');
  });

  it('ignores signature schemes it does not know', () => {
    const header = `${signatureHeader([secret], t, body)},v0=deadbeef`;
    expect(verifyWebhookSignature(body, header, secret, { now })).toBe(t);
  });
});
