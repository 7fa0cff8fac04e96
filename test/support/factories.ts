import { randomUUID } from 'node:crypto';
import { crc32, deflateSync } from 'node:zlib';

import { type EventPayloads, makeEnvelope, Topic } from '@f2f/contracts';
import { ImageInspector, type ImageInspectorSettings } from '@f2f/imaging';
import sharp from 'sharp';

/**
 * A test image with structure (gradients and shapes), so that frame metrics and the preview
 * generator's path have something to measure.
 */
/**
 * The image inspection of a test: one thread, the services' default limits. Runs the built worker
 * (`npx nx run @f2f/imaging:build` first); close it in afterAll.
 */
export const makeImageInspector = (settings: Partial<ImageInspectorSettings> = {}): ImageInspector =>
  new ImageInspector({ threads: 1, timeoutMs: 10_000, maxHeapMb: 64, ...settings });

export async function makeImage(width = 320, height = 240, format: 'png' | 'jpeg' = 'png'): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
    <defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1">
      <stop offset="0" stop-color="#1f6feb"/><stop offset="1" stop-color="#f2cc60"/></linearGradient></defs>
    <rect width="100%" height="100%" fill="url(#g)"/>
    <circle cx="${width * 0.35}" cy="${height * 0.55}" r="${Math.min(width, height) * 0.22}" fill="#8b3a2b"/>
    <rect x="${width * 0.6}" y="${height * 0.2}" width="${width * 0.25}" height="${height * 0.5}" fill="#2da44e"/>
  </svg>`;
  const image = sharp(Buffer.from(svg));
  return format === 'png' ? image.png().toBuffer() : image.jpeg({ quality: 92 }).toBuffer();
}

/**
 * A small, well-formed PNG whose header claims width × height pixels (a "pixel bomb": decoding it
 * would need width × height × 3 bytes); its one compressed row is all it holds.
 */
export function makePixelBombPng(width = 50_000, height = 50_000): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit RGB, deflate, no filter method, no interlace
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(Buffer.alloc(1 + width * 3))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

export function makeEditRequested(
  overrides: Partial<EventPayloads[Topic.EditRequested]> = {},
  tenantId = 'default',
) {
  return makeEnvelope({
    type: Topic.EditRequested,
    editId: randomUUID(),
    tenantId,
    payload: {
      targetCaption: 'A photo of a sitting dog.',
      sourceKey: 'tenants/default/edits/x/source.png',
      sourceWidth: 320,
      sourceHeight: 240,
      options: {
        model: 'preview',
        frames: 49,
        steps: 50,
        guidance: 6,
        fps: 8,
        seed: 42,
        captionMode: 'temporal',
        selection: 'vlm',
        candidates: 1,
        outputWidth: null,
        outputHeight: null,
      },
      ...overrides,
      groundTruthKey: overrides.groundTruthKey ?? null,
    },
  });
}
