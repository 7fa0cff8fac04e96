import autocannon from 'autocannon';

import { cpuMs } from './cpu';
import type { RunFigures } from './stats';

export interface LoadOptions {
  url: string;
  body: string;
  headers?: Record<string, string>;
  connections: number;
  seconds: number;
  /** The gateway's process, to charge it the CPU time it used (Linux). */
  pid?: number;
}

/**
 * One autocannon run: `connections` clients each sending the request again as soon as the answer
 * came, for `seconds`. Latencies are kept per answer (autocannon's own summary has no p95).
 */
export function load(options: LoadOptions): Promise<RunFigures> {
  const latenciesMs: number[] = [];
  const cpuBefore = cpuMs(options.pid);
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: options.url,
        method: 'POST',
        headers: { 'content-type': 'application/json', ...options.headers },
        body: options.body,
        connections: options.connections,
        duration: options.seconds,
        timeout: 30,
      },
      (error, result) => {
        if (error) return reject(error instanceof Error ? error : new Error(String(error)));
        const cpuAfter = cpuMs(options.pid);
        resolve({
          cpuMs: cpuBefore !== undefined && cpuAfter !== undefined ? cpuAfter - cpuBefore : undefined,
          requests: result.requests.total,
          seconds: result.duration,
          failed: result.non2xx + result.errors,
          latenciesMs,
        });
      },
    );
    instance.on('response', (_client, _status, _bytes, responseTime) => latenciesMs.push(responseTime));
  });
}
