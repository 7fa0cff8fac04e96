import type { Readable } from 'node:stream';

import { TransferError } from '@f2f/platform';

/**
 * Reads a request body into memory, never more than maxBytes: once the body passes the limit it
 * stops reading and fails with IMAGE_TOO_LARGE (the caller answers 413 and closes the connection).
 * `checkHead` sees the first `headBytes` bytes as soon as they arrive (or the whole body when it
 * is shorter), so a body that is not what it claims to be is refused before the rest is read.
 */
export function readCapped(
  body: Readable,
  maxBytes: number,
  options: { headBytes: number; checkHead: (head: Buffer) => void; expectedBytes?: number },
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    let headChecked = false;
    let settled = false;
    const finish = (error: Error | null, data?: Buffer) => {
      if (settled) return;
      settled = true;
      body.off('data', onData);
      body.off('end', onEnd);
      body.off('error', onError);
      body.off('aborted', onAborted);
      if (error) {
        body.pause();
        reject(error);
      } else resolve(data as Buffer);
    };
    const checkHead = () => {
      headChecked = true;
      options.checkHead(Buffer.concat(chunks).subarray(0, options.headBytes));
    };
    const onData = (chunk: Buffer) => {
      total += chunk.length;
      if (total > maxBytes) {
        finish(
          new TransferError(
            'IMAGE_TOO_LARGE',
            `the body is over ${maxBytes} bytes, the most this URL accepts`,
            {
              maxBytes,
            },
          ),
        );
        return;
      }
      chunks.push(chunk);
      if (!headChecked && total >= options.headBytes) {
        try {
          checkHead();
        } catch (error) {
          finish(error as Error);
        }
      }
    };
    const onEnd = () => {
      try {
        if (total === 0) throw new TransferError('INVALID_IMAGE', 'the body is empty');
        if (!headChecked) checkHead();
        if (options.expectedBytes !== undefined && total !== options.expectedBytes)
          throw new TransferError(
            'INVALID_IMAGE',
            `the body has ${total} bytes, not the ${options.expectedBytes} its Content-Length says`,
          );
        finish(null, Buffer.concat(chunks, total));
      } catch (error) {
        finish(error as Error);
      }
    };
    const onAborted = () =>
      finish(new TransferError('INVALID_IMAGE', 'the upload was interrupted before the whole body arrived'));
    const onError = onAborted;
    body.on('data', onData);
    body.on('end', onEnd);
    body.on('error', onError);
    body.on('aborted', onAborted);
  });
}
