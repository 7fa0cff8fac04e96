import path from 'node:path';
import { Worker } from 'node:worker_threads';

import type { ClientWorkerData, WorkerReport } from './client-worker';

/** What one subscriber received: the highest seq, and the arrival of each (seq → Date.now()). */
export interface SubscriberState {
  lastSeq: number;
  arrivals: Map<number, number>;
}

/**
 * N graphql-ws clients spread over worker threads (one WebSocket and one editUpdated subscription
 * per edit), so that the clients' work stays off the thread that produces and times the events.
 */
export class Subscribers {
  readonly states: SubscriberState[];
  private readonly workers: Worker[] = [];
  private readonly errors: string[] = [];
  private received = 0;

  constructor(
    readonly url: string,
    readonly apiKey: string,
    readonly editIds: readonly string[],
    threads: number,
  ) {
    this.states = editIds.map(() => ({ lastSeq: 0, arrivals: new Map() }));
    const perThread = Math.ceil(editIds.length / threads);
    for (let t = 0; t * perThread < editIds.length; t++) {
      const subscribers = editIds
        .slice(t * perThread, (t + 1) * perThread)
        .map((editId, k) => ({ index: t * perThread + k, editId }));
      const data: ClientWorkerData = { url, apiKey, subscribers };
      const worker = new Worker(path.join(__dirname, 'client-worker.js'), { workerData: data });
      worker.on('message', (report: WorkerReport) => this.onReport(report));
      worker.on('error', (error) => this.errors.push(`worker: ${String(error)}`));
      this.workers.push(worker);
    }
  }

  private onReport(report: WorkerReport): void {
    if (report.kind === 'error') {
      this.errors.push(`subscriber ${report.index}: ${report.message}`);
      return;
    }
    for (const [index, seq, receivedAt] of report.messages) {
      const state = this.states[index];
      state.lastSeq = Math.max(state.lastSeq, seq);
      state.arrivals.set(seq, receivedAt);
      this.received++;
    }
  }

  /** Messages received so far, all subscribers together. */
  get messageCount(): number {
    return this.received;
  }

  private check(): void {
    if (this.errors.length > 0)
      throw new Error(`${this.errors.length} subscriber errors, first: ${this.errors[0].slice(0, 300)}`);
  }

  /**
   * Waits until every subscriber has its edit's history (at least one entry) and nothing more has
   * come for quietMs: each is then subscribed to the live feed (the gateway listens before it replays).
   */
  async ready(timeoutMs: number, quietMs = 1_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let seen = -1;
    let quietSince = Date.now();
    for (;;) {
      this.check();
      const waiting = this.states.filter((s) => s.lastSeq === 0).length;
      if (this.received !== seen) {
        seen = this.received;
        quietSince = Date.now();
      } else if (waiting === 0 && Date.now() - quietSince >= quietMs) return;
      if (Date.now() > deadline)
        throw new Error(
          `${waiting} of ${this.states.length} subscribers got no history within ${timeoutMs} ms`,
        );
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async close(): Promise<void> {
    await Promise.all(
      this.workers.map(
        (w) =>
          new Promise<void>((resolve) => {
            const timer = setTimeout(() => void w.terminate().then(() => resolve()), 10_000);
            w.once('exit', () => {
              clearTimeout(timer);
              resolve();
            });
            w.postMessage('close');
          }),
      ),
    );
  }
}
