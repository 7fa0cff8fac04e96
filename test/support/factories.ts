import { randomUUID } from 'node:crypto';

import { type EventPayloads, makeEnvelope, Topic } from '@f2f/contracts';
import sharp from 'sharp';

/**
 * A test image with structure (gradients and shapes), so that frame metrics and the preview
 * generator's path have something to measure.
 */
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
