import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A receiver's check of F2F-Signature, written from the README's snippet with node:crypto only
 * (not the platform's code): t and v1 from the header, HMAC-SHA256 of "<t>.<raw body>" keyed by the
 * secret, a match on any v1 in constant time, and a timestamp within the tolerance.
 */
export function receiverVerifies(
  rawBody: string,
  header: string | undefined,
  secret: string,
  toleranceSec = 300,
) {
  if (!header) return false;
  const parts = header.split(',').map((p) => p.split('=') as [string, string]);
  const t = Number(parts.find(([k]) => k === 't')?.[1]);
  if (!Number.isInteger(t)) return false;
  const expected = createHmac('sha256', secret).update(`${t}.${rawBody}`).digest();
  const match = parts.some(
    ([k, v]) => k === 'v1' && /^[0-9a-f]{64}$/.test(v) && timingSafeEqual(Buffer.from(v, 'hex'), expected),
  );
  return match && Math.abs(Date.now() / 1000 - t) <= toleranceSec;
}

export interface ReceivedWebhook {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** Whether the signature verified with the receiver's secret at the time. */
  verified: boolean;
  /** The status the receiver answered. */
  answered: number;
  at: number;
}

/**
 * A real HTTP server on 127.0.0.1 standing in for a client's webhook endpoint: it verifies every
 * request's signature with the secret it is given, answers from a script of status codes (then
 * `fallback`), or never answers at all (timeouts), and records what came.
 */
export class WebhookReceiver {
  readonly received: ReceivedWebhook[] = [];
  secret = '';
  /** Status codes for the next requests, in order; then `fallback`. */
  script: number[] = [];
  fallback = 200;
  /** Answer no request at all (the sender's timeout must end it). */
  hang = false;
  private server: http.Server | undefined;
  private readonly sockets = new Set<import('node:net').Socket>();

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (this.hang) return;
        const body = Buffer.concat(chunks).toString('utf8');
        const verified = receiverVerifies(
          body,
          req.headers['f2f-signature'] as string | undefined,
          this.secret,
        );
        // A receiver refuses what it cannot verify (as a real one should): 401.
        const answered = verified ? (this.script.shift() ?? this.fallback) : 401;
        this.received.push({
          path: req.url ?? '',
          headers: req.headers,
          body,
          verified,
          answered,
          at: Date.now(),
        });
        res.writeHead(answered, { 'content-type': 'text/plain' }).end(`answered ${answered}`);
      });
    });
    this.server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}/hooks`;
  }

  forEvent(eventId: string): ReceivedWebhook[] {
    return this.received.filter((r) => r.headers['f2f-event-id'] === eventId);
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise((resolve) => this.server?.close(resolve));
  }
}
