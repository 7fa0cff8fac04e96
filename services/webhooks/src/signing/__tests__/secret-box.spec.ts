import { SecretBox } from '../secret-box';

describe('SecretBox (endpoint secrets at rest)', () => {
  const box = new SecretBox('k'.repeat(32));

  it('round-trips, with a fresh IV each time and no plaintext in the sealed form', () => {
    const a = box.seal('whsec_abc', 'endpoint-1');
    const b = box.seal('whsec_abc', 'endpoint-1');
    expect(a).not.toBe(b);
    expect(a).not.toContain('whsec_abc');
    expect(box.open(a, 'endpoint-1')).toBe('whsec_abc');
  });

  it('does not open with another key, for another endpoint, or after tampering', () => {
    const sealed = box.seal('whsec_abc', 'endpoint-1');
    expect(() => new SecretBox('j'.repeat(32)).open(sealed, 'endpoint-1')).toThrow();
    expect(() => box.open(sealed, 'endpoint-2')).toThrow();
    const parts = sealed.split('.');
    parts[3] = Buffer.from('whsec_abd').toString('base64url');
    expect(() => box.open(parts.join('.'), 'endpoint-1')).toThrow();
    expect(() => box.open('nonsense', 'endpoint-1')).toThrow('malformed');
  });
});
