import { nearestRank as percentile } from '../stats';

/** One load run against one gateway: what autocannon counted and the latencies it saw. */
export interface RunFigures {
  requests: number;
  seconds: number;
  /** Answers other than HTTP 2xx, and connection errors or timeouts. */
  failed: number;
  /** Each answer's latency in ms. */
  latenciesMs: number[];
  /** CPU time the gateway's process used during the run (ms), when it could be read. */
  cpuMs?: number;
}

/** Latencies: percentiles by nearest rank. */
export { percentile };

/** Several runs of one gateway and query together: requests/s over all, p95 of all latencies. */
export interface Summary {
  rps: number;
  p50Ms: number;
  p95Ms: number;
  failed: number;
  runs: number;
  /** requests/s of each run, to show the spread. */
  runRps: number[];
  /** The gateway process's CPU time per answer (ms): less sensitive to other load than req/s. */
  cpuMsPerRequest: number;
}

export function summarise(runs: readonly RunFigures[]): Summary {
  const requests = runs.reduce((n, r) => n + r.requests, 0);
  const seconds = runs.reduce((n, r) => n + r.seconds, 0);
  const latencies = runs.flatMap((r) => r.latenciesMs);
  return {
    rps: seconds > 0 ? requests / seconds : 0,
    p50Ms: percentile(latencies, 50),
    p95Ms: percentile(latencies, 95),
    failed: runs.reduce((n, r) => n + r.failed, 0),
    runs: runs.length,
    runRps: runs.map((r) => (r.seconds > 0 ? r.requests / r.seconds : 0)),
    cpuMsPerRequest: runs.every((r) => r.cpuMs !== undefined)
      ? runs.reduce((n, r) => n + (r.cpuMs ?? 0), 0) / Math.max(1, requests)
      : Number.NaN,
  };
}

/**
 * The order of the gateways in each round: reversed every other round (A B C, C B A, …), so that
 * a drift in the machine's load over the run falls on every gateway alike.
 */
export function interleave<T>(items: readonly T[], round: number): T[] {
  return round % 2 === 0 ? [...items] : [...items].reverse();
}

/** ours ÷ theirs, 0 when theirs served nothing. */
export const ratio = (ours: number, theirs: number): number => (theirs > 0 ? ours / theirs : 0);
