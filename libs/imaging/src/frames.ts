import sharp from 'sharp';

/** CogVideoX-5B-I2V's frame size (paper 5.1). */
export const VIDEO_WIDTH = 720;
export const VIDEO_HEIGHT = 480;

/** Where the source sits inside a letterboxed frame. */
export interface ContentBox {
  left: number;
  top: number;
  width: number;
  height: number;
}

/**
 * The source's place in a width×height frame: scaled to fit (480 px high unless the source is wider
 * than 3:2, then 720 px wide), centred, never stretched.
 */
export function contentBox(
  sourceWidth: number,
  sourceHeight: number,
  width = VIDEO_WIDTH,
  height = VIDEO_HEIGHT,
): ContentBox {
  const scale = Math.min(width / sourceWidth, height / sourceHeight);
  const w = Math.min(width, Math.max(1, Math.round(sourceWidth * scale)));
  const h = Math.min(height, Math.max(1, Math.round(sourceHeight * scale)));
  return { left: Math.floor((width - w) / 2), top: Math.floor((height - h) / 2), width: w, height: h };
}

/**
 * Pre-processing of paper 5.1: the source resized to fit the video frame and padded with black
 * (a square source becomes 480×480 with 120 px on each side of a 720×480 frame). Returns the PNG
 * and where the source sits in it, so that frames can be cropped back.
 */
export async function prepareSource(
  image: Buffer,
  width = VIDEO_WIDTH,
  height = VIDEO_HEIGHT,
): Promise<{ png: Buffer; box: ContentBox }> {
  const oriented = await sharp(image).rotate().removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const box = contentBox(oriented.info.width, oriented.info.height, width, height);
  const png = await sharp(oriented.data, {
    raw: { width: oriented.info.width, height: oriented.info.height, channels: oriented.info.channels },
  })
    .resize(box.width, box.height, { fit: 'fill' })
    .extend({
      left: box.left,
      top: box.top,
      right: width - box.width - box.left,
      bottom: height - box.height - box.top,
      background: { r: 0, g: 0, b: 0 },
    })
    .png()
    .toBuffer();
  return { png, box };
}

/** Fits an image into width×height without stretching, padding with black. Returns PNG. */
export async function letterbox(image: Buffer, width = VIDEO_WIDTH, height = VIDEO_HEIGHT): Promise<Buffer> {
  return (await prepareSource(image, width, height)).png;
}

/**
 * Post-processing of paper 5.1: the source's region cropped back out of a generated frame and
 * resized to the output size (the source's size by default; 512×512 in the paper's benchmarks).
 * An output of another aspect ratio is letterboxed, never stretched.
 */
export async function cropToSource(
  frame: Buffer,
  box: ContentBox,
  outputWidth: number,
  outputHeight: number,
): Promise<Buffer> {
  return sharp(frame)
    .extract(box)
    .resize(outputWidth, outputHeight, { fit: 'contain', background: { r: 0, g: 0, b: 0 } })
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
