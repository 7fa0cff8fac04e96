import sharp from 'sharp';

import { sourcePhoto } from '../overhead/source';

import type { GeneratedFrame } from './stage-code';

/** A source photo and a path of frames drifting away from it (hue, brightness, a slow pan), as PNG. */
export async function stageInputs(
  frames: number,
  width: number,
  height: number,
): Promise<{ source: Buffer; frames: GeneratedFrame[] }> {
  const source = await sourcePhoto(width, height);
  const path = await Promise.all(
    Array.from({ length: frames }, async (_, index) => {
      const shift = Math.round((index / frames) * width * 0.05);
      const png = await sharp(source)
        .extend({ left: shift, background: '#000' })
        .extract({ left: 0, top: 0, width, height })
        .modulate({ hue: index * 2, brightness: 1 + index * 0.004 })
        .png()
        .toBuffer();
      return { index, png };
    }),
  );
  return { source, frames: path };
}
