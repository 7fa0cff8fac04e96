/**
 * Per-tenant token buckets: each tenant gets `burst` requests at once and `perSecond` more every
 * second. In-memory, so the limit holds per gateway replica (N replicas allow N times the rate).
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
    private readonly now: () => number = Date.now,
    private readonly maxTenants = 100_000,
  ) {}

  /** Takes a token for the tenant: 0 when the request may go, else the seconds until one is free. */
  take(tenantId: string): number {
    const now = this.now();
    const bucket = this.buckets.get(tenantId) ?? { tokens: this.burst, at: now };
    bucket.tokens = Math.min(this.burst, bucket.tokens + ((now - bucket.at) / 1000) * this.perSecond);
    bucket.at = now;
    this.buckets.delete(tenantId);
    this.buckets.set(tenantId, bucket);
    if (this.buckets.size > this.maxTenants) this.buckets.delete(this.buckets.keys().next().value as string);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - bucket.tokens) / this.perSecond));
  }
}
