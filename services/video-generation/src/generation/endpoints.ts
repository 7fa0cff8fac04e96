import { promises as dns } from 'node:dns';

/** Where the VideoGenerator workers are. */
export interface WorkerEndpoints {
  list(): Promise<string[]>;
}

export class StaticEndpoints implements WorkerEndpoints {
  constructor(private readonly addresses: string[]) {}
  async list(): Promise<string[]> {
    return this.addresses;
  }
}

/**
 * The workers behind a Kubernetes headless Service: one address per pod, from DNS A records,
 * refreshed at most every `refreshMs` (the last good answer is kept when a lookup fails).
 */
export class DnsEndpoints implements WorkerEndpoints {
  private cached: string[] = [];
  private fetchedAt = 0;

  constructor(
    private readonly host: string,
    private readonly port: number,
    private readonly refreshMs = 5_000,
    private readonly resolve: (host: string) => Promise<string[]> = (h) => dns.resolve4(h),
  ) {}

  async list(): Promise<string[]> {
    if (Date.now() - this.fetchedAt < this.refreshMs && this.cached.length > 0) return this.cached;
    try {
      const ips = await this.resolve(this.host);
      this.cached = [...ips].sort().map((ip) => `${ip}:${this.port}`);
      this.fetchedAt = Date.now();
    } catch (error) {
      if (this.cached.length === 0) throw error;
    }
    return this.cached;
  }
}

/** `host:port,host:port` (a fixed list) or `dns:///service.namespace:port` (a headless Service). */
export function parseEndpoints(spec: string[]): WorkerEndpoints {
  const dnsEntries = spec.filter((s) => s.startsWith('dns:///'));
  if (dnsEntries.length > 1 || (dnsEntries.length === 1 && spec.length > 1)) {
    throw new Error('use either one dns:/// entry or a list of host:port addresses');
  }
  if (dnsEntries.length === 1) {
    const m = /^dns:\/\/\/([^:]+):(\d+)$/.exec(dnsEntries[0]);
    if (!m) throw new Error(`invalid DNS endpoint ${dnsEntries[0]}: expected dns:///host:port`);
    return new DnsEndpoints(m[1], Number(m[2]));
  }
  return new StaticEndpoints(spec);
}
