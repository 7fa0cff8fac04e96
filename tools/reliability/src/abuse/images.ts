import { crc32, deflateSync } from 'node:zlib';

import sharp from 'sharp';

/** Hostile image bytes, generated at run time (nothing binary is committed). */
export interface HostileImage {
  name: string;
  bytes: Buffer;
  /** The Content-Type an upload claims for it. */
  contentType: 'image/png' | 'image/jpeg' | 'image/webp';
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export function pngChunk(type: string, data: Buffer, crc?: number): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const sum = Buffer.alloc(4);
  sum.writeUInt32BE(crc ?? crc32(body));
  return Buffer.concat([length, body, sum]);
}

function ihdr(width: number, height: number, bitDepth: number, colorType: number): Buffer {
  const data = Buffer.alloc(13);
  data.writeUInt32BE(width, 0);
  data.writeUInt32BE(height, 4);
  data.set([bitDepth, colorType, 0, 0, 0], 8);
  return data;
}

const BYTES_PER_PIXEL: Record<number, number> = { 0: 1, 2: 3, 6: 4 };

/**
 * A well-formed PNG of width × height pixels whose rows are all zero: a real decompression bomb
 * (deflate packs the zeros about 1000:1). `rows` limits the rows actually stored (a header bomb).
 */
export function zeroPng(width: number, height: number, { bitDepth = 8, colorType = 2, rows = height } = {}) {
  const rowBytes = 1 + Math.ceil((width * bitDepth * (bitDepth === 1 ? 1 : BYTES_PER_PIXEL[colorType])) / 8);
  const idat = deflateSync(Buffer.alloc(rowBytes * rows), { level: 9 });
  return Buffer.concat([
    PNG_SIGNATURE,
    pngChunk('IHDR', ihdr(width, height, bitDepth, colorType)),
    pngChunk('IDAT', idat),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A JPEG whose SOF header claims width × height (the scan holds a 16 × 16 image). */
export async function jpegHeaderBomb(width: number, height: number): Promise<Buffer> {
  const jpeg = Buffer.from(await smallImage().jpeg().toBuffer());
  for (let i = 2; i < jpeg.length - 9; i++) {
    if (jpeg[i] === 0xff && jpeg[i + 1] >= 0xc0 && jpeg[i + 1] <= 0xc2) {
      jpeg.writeUInt16BE(height, i + 5);
      jpeg.writeUInt16BE(width, i + 7);
      return jpeg;
    }
  }
  throw new Error('no SOF marker in the JPEG sharp wrote');
}

/** A lossless WebP whose VP8L header claims width × height (at most 16384 each). */
export async function webpLosslessHeaderBomb(width: number, height: number): Promise<Buffer> {
  const webp = Buffer.from(await smallImage().webp({ lossless: true }).toBuffer());
  if (webp.toString('latin1', 12, 16) !== 'VP8L') throw new Error('sharp wrote no simple lossless WebP');
  const bits = webp.readUInt32LE(21);
  webp.writeUInt32LE(((bits >>> 28) << 28) | ((height - 1) << 14) | (width - 1), 21);
  return webp;
}

/** A lossy WebP whose VP8 frame header claims width × height. */
export async function webpLossyHeaderBomb(width: number, height: number): Promise<Buffer> {
  const webp = Buffer.from(await smallImage().webp({ quality: 50 }).toBuffer());
  const start = webp.indexOf(Buffer.from([0x9d, 0x01, 0x2a]));
  if (start < 0) throw new Error('no VP8 start code in the WebP sharp wrote');
  webp.writeUInt16LE(width & 0x3fff, start + 3);
  webp.writeUInt16LE(height & 0x3fff, start + 5);
  return webp;
}

/** An extended WebP (VP8X) whose canvas claims width × height around a 16 × 16 bitstream. */
export async function webpCanvasBomb(width: number, height: number): Promise<Buffer> {
  const simple = Buffer.from(await smallImage().webp({ lossless: true }).toBuffer());
  const vp8x = Buffer.alloc(18);
  vp8x.write('VP8X', 0, 'latin1');
  vp8x.writeUInt32LE(10, 4);
  vp8x.writeUIntLE(width - 1, 12, 3);
  vp8x.writeUIntLE(height - 1, 15, 3);
  const body = Buffer.concat([Buffer.from('WEBP', 'latin1'), vp8x, simple.subarray(12)]);
  const header = Buffer.alloc(8);
  header.write('RIFF', 0, 'latin1');
  header.writeUInt32LE(body.length, 4);
  return Buffer.concat([header, body]);
}

export const smallImage = (width = 16, height = 16) =>
  sharp({ create: { width, height, channels: 3, background: { r: 200, g: 60, b: 30 } } });

/** A real, flat-colour image of width × height in a format (compresses to very little). */
export async function flatImage(width: number, height: number, format: 'jpeg' | 'webp'): Promise<Buffer> {
  const image = sharp({
    create: { width, height, channels: 3, background: { r: 250, g: 250, b: 250 } },
    limitInputPixels: false,
  });
  return format === 'jpeg'
    ? image.jpeg({ quality: 10 }).toBuffer()
    : image.webp({ lossless: true, effort: 0 }).toBuffer();
}

/** A copy with one byte changed at `at` (a negative index counts from the end). */
export function flipByte(bytes: Buffer, at: number): Buffer {
  const copy = Buffer.from(bytes);
  const i = at < 0 ? copy.length + at : at;
  copy[i] ^= 0xff;
  return copy;
}

/** A PNG of a real image whose chunk `type` carries a wrong CRC. */
export function withBadCrc(png: Buffer, type: string): Buffer {
  const copy = Buffer.from(png);
  const at = copy.indexOf(Buffer.from(type, 'latin1'));
  const length = copy.readUInt32BE(at - 4);
  copy.writeUInt32BE((copy.readUInt32BE(at + 4 + length) ^ 0xdeadbeef) >>> 0, at + 4 + length);
  return copy;
}

/** A minimal ZIP archive with one stored file (for PNG+ZIP polyglots). */
export function zipWith(name: string, content: string): Buffer {
  const data = Buffer.from(content);
  const header = Buffer.alloc(30);
  header.writeUInt32LE(0x04034b50, 0);
  header.writeUInt16LE(20, 4);
  header.writeUInt32LE(crc32(data), 14);
  header.writeUInt32LE(data.length, 18);
  header.writeUInt32LE(data.length, 22);
  header.writeUInt16LE(name.length, 26);
  return Buffer.concat([header, Buffer.from(name), data]);
}
