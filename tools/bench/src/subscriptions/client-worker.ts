/**
 * A worker thread holding some of the benchmark's graphql-ws clients: one WebSocket connection
 * and one editUpdated subscription per edit. It stamps each message as it arrives and posts the
 * stamps to the main thread in batches (so that reporting costs the clients little).
 */
import { parentPort, workerData } from 'node:worker_threads';

import { type Client, createClient } from 'graphql-ws';
import { WebSocket } from 'ws';

export interface ClientWorkerData {
  url: string;
  apiKey: string;
  /** The subscribers of this worker: their index in the whole run and their edit. */
  subscribers: { index: number; editId: string }[];
}

/** What a worker posts: messages received (index, seq, Date.now() on arrival), or an error. */
export type WorkerReport =
  | { kind: 'messages'; messages: [index: number, seq: number, receivedAt: number][] }
  | { kind: 'error'; index: number; message: string };

const SUBSCRIPTION = `subscription($id: ID!) { editUpdated(id: $id, afterSeq: 0) { seq type } }`;
const FLUSH_MS = 20;

function main(): void {
  const port = parentPort;
  if (!port) throw new Error('client-worker runs as a worker thread');
  const data = workerData as ClientWorkerData;
  const clients: Client[] = [];
  let pending: [number, number, number][] = [];
  const flush = setInterval(() => {
    if (pending.length === 0) return;
    port.postMessage({ kind: 'messages', messages: pending } satisfies WorkerReport);
    pending = [];
  }, FLUSH_MS);

  for (const { index, editId } of data.subscribers) {
    const client = createClient({
      url: data.url,
      webSocketImpl: WebSocket,
      connectionParams: { apiKey: data.apiKey },
      lazy: false,
      retryAttempts: 0,
      onNonLazyError: (error) =>
        port.postMessage({ kind: 'error', index, message: String(error) } satisfies WorkerReport),
    });
    clients.push(client);
    client.subscribe<{ editUpdated: { seq: number } }>(
      { query: SUBSCRIPTION, variables: { id: editId } },
      {
        next: (result) => {
          const receivedAt = Date.now();
          if (result.data) pending.push([index, result.data.editUpdated.seq, receivedAt]);
          else
            port.postMessage({
              kind: 'error',
              index,
              message: JSON.stringify(result.errors),
            } satisfies WorkerReport);
        },
        error: (error) =>
          port.postMessage({ kind: 'error', index, message: String(error) } satisfies WorkerReport),
        complete: () => undefined,
      },
    );
  }

  port.on('message', (message: string) => {
    if (message !== 'close') return;
    clearInterval(flush);
    void Promise.all(clients.map((c) => c.dispose())).finally(() => process.exit(0));
  });
}

main();
