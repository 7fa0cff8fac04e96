import sharp from 'sharp';

import { sniffImageType } from '../sniff';

const image = (format: 'png' | 'jpeg' | 'webp' | 'gif') =>
  sharp({ create: { width: 8, height: 8, channels: 3, background: '#3a7' } })
    .toFormat(format)
    .toBuffer();

describe('sniffImageType', () => {
  it('tells PNG, JPEG and WebP from their first bytes', async () => {
    expect(sniffImageType(await image('png'))).toBe('image/png');
    expect(sniffImageType(await image('jpeg'))).toBe('image/jpeg');
    expect(sniffImageType(await image('webp'))).toBe('image/webp');
  });

  it('knows nothing else, nor a prefix too short to tell', async () => {
    expect(sniffImageType(await image('gif'))).toBeNull();
    expect(sniffImageType(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'))).toBeNull();
    expect(sniffImageType(Buffer.from('RIFF\0\0\0\0WAVE'))).toBeNull();
    expect(sniffImageType((await image('png')).subarray(0, 4))).toBeNull();
    expect(sniffImageType(Buffer.alloc(0))).toBeNull();
  });
});
