import { DomainError } from '@f2f/common';

import { isNonPublicAddress, validateEndpointUrl } from '../endpoint-url';

const strict = { allowHttp: false, allowPrivateNetworks: false };
const message = (url: string, policy = strict) => {
  try {
    validateEndpointUrl(url, policy);
    return 'accepted';
  } catch (e) {
    expect(e).toBeInstanceOf(DomainError);
    return (e as Error).message;
  }
};

describe('webhook URL validation', () => {
  it('accepts public https URLs and normalises them', () => {
    expect(validateEndpointUrl(' https://Example.com/hooks/f2f?x=1 ', strict)).toBe(
      'https://example.com/hooks/f2f?x=1',
    );
    expect(validateEndpointUrl('https://93.184.216.34:8443/h', strict)).toBe('https://93.184.216.34:8443/h');
  });

  it('refuses other schemes, and http unless allowed', () => {
    for (const url of [
      'ftp://example.com/x',
      'file:///etc/passwd',
      'javascript:alert(1)',
      'ws://example.com',
    ])
      expect(message(url)).toBe('a webhook URL must be http(s)');
    expect(message('http://example.com/h')).toBe('a webhook URL must use https');
    expect(message('http://example.com/h', { ...strict, allowHttp: true })).toBe('accepted');
  });

  it('refuses what is not a URL, credentials, fragments and overlong URLs', () => {
    expect(message('not a url')).toBe('the webhook URL is not a valid absolute URL');
    expect(message('/relative')).toBe('the webhook URL is not a valid absolute URL');
    expect(message('https://user:pw@example.com/')).toBe('a webhook URL must not carry credentials');
    expect(message('https://example.com/#x')).toBe('a webhook URL must not have a fragment');
    expect(message(`https://example.com/${'a'.repeat(2048)}`)).toMatch(/1\.\.2048 characters/);
  });

  it.each([
    'https://127.0.0.1/h',
    'https://127.1.2.3:9/h',
    'https://10.0.0.5/h',
    'https://172.16.3.4/h',
    'https://192.168.1.1/h',
    'https://169.254.169.254/latest/meta-data',
    'https://100.64.0.1/h',
    'https://0.0.0.0/h',
    'https://[::1]/h',
    'https://[fd00::1]/h',
    'https://[fe80::1]/h',
    'https://[::ffff:127.0.0.1]/h',
    'https://[::ffff:a9fe:a9fe]/h',
    'https://localhost/h',
    'https://api.localhost/h',
    'https://printer.local/h',
    'https://metadata.google.internal/h',
    'https://intranet/h',
    'https://2130706433/h', // 127.0.0.1 as one number: the URL parser normalises it
    'https://0x7f.1/h',
  ])('refuses %s unless private networks are allowed', (url) => {
    expect(message(url)).toBe('a webhook URL must not point at a loopback, private or link-local address');
    expect(message(url, { allowHttp: false, allowPrivateNetworks: true })).toBe('accepted');
  });

  it('tells public from non-public addresses', () => {
    expect(['8.8.8.8', '93.184.216.34', '2606:4700::1111'].map(isNonPublicAddress)).toEqual([
      false,
      false,
      false,
    ]);
    expect(
      ['127.0.0.1', '10.1.1.1', '::1', '::ffff:10.0.0.1', 'fc00::2', 'not-an-ip'].every(isNonPublicAddress),
    ).toBe(true);
  });
});
