import http, { type IncomingMessage, type ServerResponse } from 'node:http';

import { TransferError } from '@f2f/platform';

/** Response headers of edits that the gateway passes on to the client. */
const PASSED_HEADERS = ['content-type', 'content-length', 'cache-control', 'etag', 'x-content-type-options'];

/**
 * The gateway's adapter to the edits service's transfer endpoints (`/internal/uploads/<token>`,
 * `/internal/files/<token>`): streams a request there and its answer back, holding neither in memory.
 */
export class EditsTransfersClient {
  private readonly origin: URL;

  constructor(
    editsUrl: string,
    private readonly timeoutMs = 60_000,
  ) {
    this.origin = new URL('/', editsUrl);
  }

  /**
   * Forwards `req` (with only the headers named) to `path` on edits and pipes the answer to `res`.
   * Rejects with SERVICE_UNAVAILABLE when edits cannot be reached before it answered.
   */
  forward(
    path: string,
    req: IncomingMessage,
    res: ServerResponse,
    headers: Record<string, string | number>,
    withBody: boolean,
  ): Promise<void> {
    return new Promise((resolve, reject) => {
      let answered = false;
      const upstream = http.request(
        new URL(path, this.origin),
        { method: req.method, headers, timeout: this.timeoutMs },
        (answer) => {
          answered = true;
          const out: Record<string, string | string[]> = {};
          for (const name of PASSED_HEADERS) {
            const value = answer.headers[name];
            if (value !== undefined) out[name] = value;
          }
          if (withBody && !req.complete) {
            // edits answered before the whole body arrived (refused it): stop relaying it.
            req.unpipe(upstream);
            req.resume();
            out.connection = 'close';
          }
          res.writeHead(answer.statusCode ?? 502, out);
          answer.pipe(res);
          answer.on('end', resolve);
          answer.on('error', () => {
            res.destroy();
            resolve();
          });
        },
      );
      upstream.on('timeout', () => upstream.destroy(new Error('edits did not answer in time')));
      upstream.on('error', (error) => {
        if (answered) return; // e.g. EPIPE writing a body edits had already refused
        reject(
          new TransferError(
            'SERVICE_UNAVAILABLE',
            `the file service cannot be reached now; try again (${error.message})`,
          ),
        );
      });
      if (withBody) req.pipe(upstream);
      else upstream.end();
    });
  }
}
