import sharp from 'sharp';

import { encodeFrame, FRAME_CONTENT_TYPES, FRAME_FORMATS, isLosslessEncoding } from '../frame-encoding';

describe('encodeFrame', () => {
  it('writes each storage format, keeping PNG pixels exact', async () => {
    const png = await sharp({ create: { width: 40, height: 30, channels: 3, background: '#3070b0' } })
      .png()
      .toBuffer();
    for (const format of FRAME_FORMATS) {
      const encoded = await encodeFrame(png, { format, quality: 80 });
      expect(await sharp(encoded).metadata()).toMatchObject({
        format: format === 'avif' ? 'heif' : format,
        width: 40,
      });
    }
    const again = await encodeFrame(png, { format: 'png', quality: 100 });
    expect((await sharp(again).raw().toBuffer()).equals(await sharp(png).raw().toBuffer())).toBe(true);
  });

  it('names the content types served, and only PNG as lossless', () => {
    expect(FRAME_CONTENT_TYPES).toEqual({ png: 'image/png', webp: 'image/webp', avif: 'image/avif' });
    expect(FRAME_FORMATS.filter((format) => isLosslessEncoding({ format, quality: 90 }))).toEqual(['png']);
  });
});
