import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';

import { isNonPublicAddress } from '../endpoints/endpoint-url';

export interface WebhookRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

export interface WebhookResponse {
  /** Null when no response came. */
  statusCode: number | null;
  latencyMs: number;
  error: string | null;
  /** The start of the response body (at most RESPONSE_EXCERPT_BYTES). */
  responseBody: string | null;
}

export const RESPONSE_EXCERPT_BYTES = 1024;

export class BlockedAddressError extends Error {
  constructor(host: string, address: string) {
    super(`${host} resolves to ${address}, a loopback, private or link-local address`);
    this.name = 'BlockedAddressError';
  }
}

/**
 * The adapter that POSTs a webhook: node's http(s) client, one request per attempt (no redirects
 * followed: a 3xx is a failed attempt), bounded by a timeout from connect to the last byte. Unless
 * private networks are allowed, every address a host name resolves to is checked at connect time,
 * so a name that resolves to an internal address (DNS rebinding) is refused.
 */
export class HttpWebhookSender {
  constructor(private readonly options: { timeoutMs: number; allowPrivateNetworks: boolean }) {}

  send(request: WebhookRequest): Promise<WebhookResponse> {
    const started = process.hrtime.bigint();
    const latency = () => Number((process.hrtime.bigint() - started) / 1_000_000n);
    const refused = (error: string) =>
      Promise.resolve({ statusCode: null, error, responseBody: null, latencyMs: latency() });
    let url: URL;
    try {
      url = new URL(request.url);
    } catch {
      return refused('invalid URL');
    }
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    if (!this.options.allowPrivateNetworks && isIP(host) && isNonPublicAddress(host))
      return refused(new BlockedAddressError(host, host).message);
    return new Promise<WebhookResponse>((resolve) => {
      const body = Buffer.from(request.body);
      const client = url.protocol === 'https:' ? https : http;
      const req = client.request(url, {
        method: 'POST',
        headers: { ...request.headers, 'content-length': String(body.length) },
        agent: false,
        ...(this.options.allowPrivateNetworks ? {} : { lookup: guardedLookup }),
      });
      const timer = setTimeout(() => {
        req.destroy(new Error(`timed out after ${this.options.timeoutMs} ms`));
      }, this.options.timeoutMs);
      let settled = false;
      const finish = (r: Omit<WebhookResponse, 'latencyMs'>) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve({ ...r, latencyMs: latency() });
      };
      req.on('error', (err) =>
        finish({ statusCode: null, error: err.message.slice(0, 1000), responseBody: null }),
      );
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        let kept = 0;
        res.on('data', (chunk: Buffer) => {
          if (kept < RESPONSE_EXCERPT_BYTES) {
            chunks.push(chunk.subarray(0, RESPONSE_EXCERPT_BYTES - kept));
            kept += Math.min(chunk.length, RESPONSE_EXCERPT_BYTES - kept);
          }
        });
        res.on('end', () =>
          finish({
            statusCode: res.statusCode ?? null,
            error: null,
            responseBody: Buffer.concat(chunks).toString('utf8') || null,
          }),
        );
        res.on('error', (err) =>
          finish({
            statusCode: res.statusCode ?? null,
            error: err.message.slice(0, 1000),
            responseBody: null,
          }),
        );
      });
      req.end(body);
    });
  }
}

/** dns.lookup that refuses non-public addresses (every one of them, when all are asked for). */
const guardedLookup: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
    if (err) return callback(err, '', undefined);
    const blocked = addresses.find((a) => isNonPublicAddress(a.address));
    if (blocked) return callback(new BlockedAddressError(hostname, blocked.address), '', undefined);
    if ((options as { all?: boolean }).all)
      return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
    const [first] = addresses;
    if (!first) return callback(new Error(`${hostname} has no address`), '', undefined);
    callback(null, first.address, first.family);
  });
};
