import { Readable } from 'node:stream';

import type { TransferError } from '@f2f/platform';

import { readCapped } from '../read-capped';

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]);

/** A body sent in chunks, recording how many were pulled. */
function body(chunks: Buffer[]) {
  const pulled = { count: 0 };
  const stream = new Readable({
    read() {
      const next = chunks[pulled.count++];
      this.push(next ?? null);
    },
  });
  return { stream, pulled };
}

const png = (head: Buffer) => {
  if (head[0] !== 0x89) throw Object.assign(new Error('not a png'), { code: 'INVALID_IMAGE' });
};

describe('readCapped', () => {
  it('reads a body within the limit', async () => {
    const { stream } = body([PNG, Buffer.alloc(100)]);
    const data = await readCapped(stream, 1000, { headBytes: 12, checkHead: png, expectedBytes: 112 });
    expect(data.length).toBe(112);
  });

  it('stops reading as soon as the body passes the limit (413)', async () => {
    const chunks = [PNG, ...Array.from({ length: 100 }, () => Buffer.alloc(1000))];
    const { stream, pulled } = body(chunks);
    const error = (await readCapped(stream, 5000, { headBytes: 12, checkHead: png }).catch(
      (e: unknown) => e,
    )) as TransferError;
    expect(error.code).toBe('IMAGE_TOO_LARGE');
    expect(error.status).toBe(413);
    // 6 chunks pass the limit; the rest of the 101 is never pulled (a stream buffers 16 KiB ahead).
    expect(pulled.count).toBeLessThan(40);
  });

  it('refuses a body whose first bytes are not the type, before reading the rest', async () => {
    const chunks = [Buffer.from('GIF89a......'), ...Array.from({ length: 100 }, () => Buffer.alloc(1000))];
    const { stream, pulled } = body(chunks);
    await expect(readCapped(stream, 1e6, { headBytes: 12, checkHead: png })).rejects.toThrow('not a png');
    expect(pulled.count).toBeLessThan(40);
  });

  it('refuses a body shorter than its Content-Length, and an empty one', async () => {
    await expect(
      readCapped(body([PNG]).stream, 1000, { headBytes: 12, checkHead: png, expectedBytes: 50 }),
    ).rejects.toMatchObject({ code: 'INVALID_IMAGE' });
    await expect(readCapped(body([]).stream, 1000, { headBytes: 12, checkHead: png })).rejects.toMatchObject({
      code: 'INVALID_IMAGE',
    });
  });
});
