import { BlockList, isIP } from 'node:net';

import { DomainError, ErrorCode } from '@f2f/common';

export interface UrlPolicy {
  /** Plain http:// allowed (https:// only otherwise). */
  allowHttp: boolean;
  /** Loopback, private, link-local and other non-public addresses allowed. */
  allowPrivateNetworks: boolean;
}

export const MAX_URL_LENGTH = 2048;

/** Addresses a webhook must not reach unless WEBHOOK_ALLOW_PRIVATE_NETWORKS: nothing that is not the public internet. */
const NON_PUBLIC = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8], // "this" network
  ['10.0.0.0', 8], // private
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local (cloud metadata services live here)
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation
  ['192.88.99.0', 24], // 6to4 relay
  ['192.168.0.0', 16], // private
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // documentation
  ['203.0.113.0', 24], // documentation
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
] as const)
  NON_PUBLIC.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [
  ['::', 128], // unspecified
  ['::1', 128], // loopback
  ['64:ff9b::', 96], // NAT64 (embeds IPv4)
  ['100::', 64], // discard
  ['2001:db8::', 32], // documentation
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['ff00::', 8], // multicast
] as const)
  NON_PUBLIC.addSubnet(net, prefix, 'ipv6');

/** Whether an IP address (v4 or v6, IPv4-mapped included) is anything but a public unicast address. */
export function isNonPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return NON_PUBLIC.check(address, 'ipv4');
  if (family !== 6) return true;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return NON_PUBLIC.check(mapped[1], 'ipv4');
  return NON_PUBLIC.check(address, 'ipv6');
}

const invalid = (message: string) => new DomainError(ErrorCode.InvalidInput, message);

/**
 * Checks an endpoint URL when it is registered: http(s) only (https unless allowHttp), no
 * credentials or fragment, and no loopback/private address or local host name unless
 * allowPrivateNetworks. Host names are resolved again at every delivery, and each resolved address
 * is checked then (a name that later resolves to a private address is refused at delivery time).
 * Returns the normalised URL.
 */
export function validateEndpointUrl(raw: string, policy: UrlPolicy): string {
  const trimmed = raw.trim();
  if (trimmed.length === 0 || trimmed.length > MAX_URL_LENGTH)
    throw invalid(`a webhook URL is 1..${MAX_URL_LENGTH} characters`);
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    throw invalid('the webhook URL is not a valid absolute URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw invalid('a webhook URL must be http(s)');
  if (url.protocol === 'http:' && !policy.allowHttp) throw invalid('a webhook URL must use https');
  if (url.username || url.password) throw invalid('a webhook URL must not carry credentials');
  if (url.hash) throw invalid('a webhook URL must not have a fragment');
  if (!policy.allowPrivateNetworks) {
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
    if (isIP(host) ? isNonPublicAddress(host) : isLocalHostName(host))
      throw invalid('a webhook URL must not point at a loopback, private or link-local address');
  }
  return url.toString();
}

function isLocalHostName(host: string): boolean {
  const name = host.replace(/\.$/, '');
  return (
    name === 'localhost' ||
    name.endsWith('.localhost') ||
    name.endsWith('.local') ||
    name.endsWith('.internal') ||
    !name.includes('.') // a single label resolves through the local search domains
  );
}
