import type { Client } from 'urql';

import { CreateUploadMutation } from './graphql/documents';
import { describeError } from './errors';

/** Thrown with the API's own message and code (UNSUPPORTED_MEDIA_TYPE, IMAGE_TOO_LARGE, ...). */
export class UploadError extends Error {}

/** The message of a signed URL's JSON error body, whatever its nesting ({ code, message } or { error: {...} }). */
export function describeTransferError(status: number, body: unknown): string {
  const b = (body ?? {}) as Record<string, unknown>;
  const inner = (typeof b.error === 'object' && b.error !== null ? b.error : b) as Record<string, unknown>;
  const message = typeof inner.message === 'string' ? inner.message : `the upload failed (HTTP ${status})`;
  return typeof inner.code === 'string' ? `${message} (${inner.code})` : message;
}

/**
 * Uploads one image the way the API asks: createUpload (type and size checked by the API), then a
 * PUT of the bytes to the signed URL with the headers it gave. Answers the upload's id for createEdit.
 */
export async function uploadImage(
  client: Client,
  file: File,
  fetchImpl: typeof fetch = fetch,
): Promise<string> {
  const created = await client
    .mutation(CreateUploadMutation, {
      input: { contentType: file.type || 'application/octet-stream', byteSize: file.size },
    })
    .toPromise();
  const ticket = created.data?.createUpload;
  if (!ticket) throw new UploadError(describeError(created.error) ?? 'the upload was refused');
  const headers = Object.fromEntries(ticket.headers.map((h) => [h.name, h.value]));
  const response = await fetchImpl(ticket.url, { method: ticket.method, headers, body: file });
  if (!response.ok) {
    const body: unknown = await response.json().catch(() => null);
    throw new UploadError(describeTransferError(response.status, body));
  }
  return ticket.id;
}
