import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

import type { Logger } from '@f2f/common';

import { TransferError } from './signed-urls';

/**
 * Answers an upload or download request with a transfer error: its status and a JSON body
 * `{ code, message }`, never a file and never internals (an unexpected error is logged with a
 * correlation id and answered INTERNAL). When the request body was not read to its end (a body
 * refused from its headers or cut off at the size limit), the connection is closed after the
 * answer rather than reading the rest.
 */
export function sendTransferError(
  req: IncomingMessage,
  res: ServerResponse,
  error: unknown,
  logger: Logger,
): void {
  let transfer: TransferError;
  if (error instanceof TransferError) transfer = error;
  else {
    const correlationId = randomUUID();
    logger.error({ err: error, correlationId }, 'unexpected error serving a signed URL');
    transfer = new TransferError('INTERNAL', 'internal error', { correlationId });
  }
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = JSON.stringify(transfer.toJSON());
  res.statusCode = transfer.status;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.setHeader('content-length', Buffer.byteLength(body));
  res.setHeader('cache-control', 'no-store');
  const retryAfter = transfer.details?.retryAfterSeconds;
  if (transfer.code === 'RATE_LIMITED' && typeof retryAfter === 'number') {
    res.setHeader('retry-after', String(retryAfter));
  }
  if (!req.complete) {
    res.setHeader('connection', 'close');
    // Whatever the client still sends is discarded until the connection closes.
    req.resume();
  }
  res.end(body);
}
