import sharp from 'sharp';

/** CogVideoX-5B-I2V's frame size (paper 5.1). */
export const VIDEO_WIDTH = 720;
export const VIDEO_HEIGHT = 480;

/**
 * Fits an image into width×height without stretching, padding with black (the paper pads a
 * square 480×480 source with 120 px on each side). Returns PNG.
 */
export async function letterbox(image: Buffer, width = VIDEO_WIDTH, height = VIDEO_HEIGHT): Promise<Buffer> {
  return sharp(image)
    .rotate()
    .removeAlpha()
    .resize(width, height, { fit: 'contain', background: { r: 0, g: 0, b: 0 } })
    .png()
    .toBuffer();
}

export interface RawImage {
  data: Buffer;
  width: number;
  height: number;
  channels: 3 | 4;
}

/** Decodes to raw pixels (RGBA), resized to width×height when they are given. */
export async function decodeRgba(image: Buffer, width?: number, height?: number): Promise<RawImage> {
  let pipeline = sharp(image).ensureAlpha();
  if (width && height) pipeline = pipeline.resize(width, height, { fit: 'fill' });
  const { data, info } = await pipeline.raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, channels: 4 };
}
