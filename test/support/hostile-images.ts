import { deflateSync } from 'node:zlib';

/** Hostile and broken images for the tests of the image inspection (makePixelBombPng is in factories). */

/** An SVG whose nested entities expand to ~10^9 "lol"s (billion laughs). */
export function billionLaughsSvg(): Buffer {
  const entities = ['<!ENTITY lol "lol">'];
  for (let i = 1; i <= 9; i++) {
    const prev = i === 1 ? 'lol' : `lol${i - 1}`;
    entities.push(`<!ENTITY lol${i} "${Array(10).fill(`&${prev};`).join('')}">`);
  }
  return Buffer.from(
    `<?xml version="1.0"?>\n<!DOCTYPE svg [${entities.join('')}]>\n` +
      '<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64"><text>&lol9;</text></svg>',
  );
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(data: Buffer): number {
  let c = 0xffffffff;
  for (const byte of data) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(4);
  head.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([head, body, crc]);
}

export const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/**
 * A valid greyscale PNG of width × height, all zero: it compresses ~1000:1, so a few hundred KB
 * claim hundreds of megapixels (a real decompression bomb).
 */
export function zeroPng(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 0; // greyscale
  const raw = Buffer.alloc((width + 1) * height); // filter byte 0 + zero pixels per row
  return Buffer.concat([
    PNG_SIGNATURE,
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** The PNG with the CRC of its first IDAT chunk flipped. */
export function withBadIdatCrc(png: Buffer): Buffer {
  const at = png.indexOf(Buffer.from('IDAT', 'latin1'));
  const length = png.readUInt32BE(at - 4);
  const bad = Buffer.from(png);
  bad[at + 4 + length] ^= 0xff;
  return bad;
}

/** A JPEG whose SOF0 header says width × height (the dimensions are rewritten, nothing else). */
export function jpegClaiming(jpeg: Buffer, width: number, height: number): Buffer {
  const out = Buffer.from(jpeg);
  for (let i = 2; i < out.length - 9;) {
    if (out[i] !== 0xff) break;
    const marker = out[i + 1];
    const length = out.readUInt16BE(i + 2);
    if (marker >= 0xc0 && marker <= 0xc2) {
      out.writeUInt16BE(height, i + 5);
      out.writeUInt16BE(width, i + 7);
      return out;
    }
    i += 2 + length;
  }
  throw new Error('no SOF marker found');
}

/** A lossless WebP (VP8L) whose header says width × height (14-bit fields, up to 16384). */
export function webpLosslessClaiming(webp: Buffer, width: number, height: number): Buffer {
  const at = webp.indexOf(Buffer.from('VP8L', 'latin1'));
  if (at < 0) throw new Error('not a lossless WebP');
  const out = Buffer.from(webp);
  const bits = at + 8 + 1; // after the chunk header and the 0x2f signature byte
  const packed = out.readUInt32LE(bits);
  const rest = packed & 0xf0000000;
  out.writeUInt32LE((rest | ((height - 1) << 14) | (width - 1)) >>> 0, bits);
  return out;
}
