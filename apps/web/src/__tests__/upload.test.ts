import { Client, fetchExchange } from 'urql';
import { describe, expect, it, vi } from 'vitest';

import { describeTransferError, uploadImage, UploadError } from '../upload';

/** A urql client over a fetch that answers GraphQL like the gateway, and records the requests. */
function clientAnswering(body: unknown) {
  const calls: { url: string; init: RequestInit }[] = [];
  const fetchImpl = vi.fn(async (url: string | URL | Request, init?: RequestInit) => {
    calls.push({ url: String(url), init: init ?? {} });
    return new Response(JSON.stringify(body), {
      status: 200,
      headers: { 'content-type': 'application/json' },
    });
  });
  const client = new Client({
    url: 'http://gw/graphql',
    exchanges: [fetchExchange],
    fetch: fetchImpl as typeof fetch,
    preferGetMethod: false,
  });
  return { client, calls };
}

const ticket = {
  id: 'u1',
  url: 'http://gw/v1/uploads/tok',
  method: 'PUT',
  headers: [{ name: 'Content-Type', value: 'image/png' }],
  maxBytes: 4,
  expiresAt: '2030-01-01T00:00:00Z',
};

describe('uploading an image through a signed URL', () => {
  it('asks for a ticket with the type and size, then PUTs the bytes with its headers', async () => {
    const { client, calls } = clientAnswering({
      data: {
        createUpload: {
          __typename: 'UploadTicket',
          ...ticket,
          headers: ticket.headers.map((h) => ({ __typename: 'HttpHeader', ...h })),
        },
      },
    });
    const put = vi.fn(async () => new Response('{}', { status: 201 }));
    const file = new File([new Uint8Array([1, 2, 3, 4])], 'a.png', { type: 'image/png' });
    await expect(uploadImage(client, file, put as typeof fetch)).resolves.toBe('u1');
    expect(JSON.parse(String(calls[0].init.body)).variables).toEqual({
      input: { contentType: 'image/png', byteSize: 4 },
    });
    expect(put).toHaveBeenCalledWith(ticket.url, {
      method: 'PUT',
      headers: { 'Content-Type': 'image/png' },
      body: file,
    });
  });

  it("shows the API's refusal with its code", async () => {
    const { client } = clientAnswering({
      data: null,
      errors: [
        {
          message: 'image/gif is not accepted: PNG, JPEG or WebP',
          extensions: { code: 'UNSUPPORTED_MEDIA_TYPE' },
        },
      ],
    });
    const file = new File(['GIF89a'], 'a.gif', { type: 'image/gif' });
    await expect(uploadImage(client, file)).rejects.toThrow(
      new UploadError('image/gif is not accepted: PNG, JPEG or WebP (UNSUPPORTED_MEDIA_TYPE)'),
    );
  });

  it("shows the signed URL's error body, whatever its nesting", () => {
    expect(describeTransferError(413, { code: 'IMAGE_TOO_LARGE', message: 'over 4 bytes' })).toBe(
      'over 4 bytes (IMAGE_TOO_LARGE)',
    );
    expect(describeTransferError(400, { error: { code: 'INVALID_IMAGE', message: 'not a PNG' } })).toBe(
      'not a PNG (INVALID_IMAGE)',
    );
    expect(describeTransferError(502, null)).toBe('the upload failed (HTTP 502)');
  });
});
