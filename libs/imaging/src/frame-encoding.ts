import sharp from 'sharp';

/** How generated frames can be stored: PNG (lossless, the paper's behaviour), WebP or AVIF (lossy). */
export const FRAME_FORMATS = ['png', 'webp', 'avif'] as const;
export type FrameFormat = (typeof FRAME_FORMATS)[number];

/** A storage format and its quality (1–100; ignored for PNG) and encoder effort (AVIF 0–9, WebP 0–6). */
export interface FrameEncoding {
  format: FrameFormat;
  quality: number;
  effort?: number;
}

/** The paper's behaviour: every frame lossless. */
export const PNG_FRAMES: FrameEncoding = { format: 'png', quality: 100 };

/**
 * The default, chosen by `npm run bench -- frames` (the fewest bytes at SSIM min ≥ 0.99 within
 * 37 ms of CPU per encode — 2 % of an H100 edit when its 49 frames arrive at once — ties within 10 %
 * of the bytes to the faster encoder): WebP at quality 85
 * stores photographic frames in about 4 % of PNG's bytes at an SSIM ≥ 0.99 against the lossless
 * frame; effort 2 encodes in about half the CPU time of libwebp's default effort 4 for ~3–5 % more
 * bytes (every frame is encoded twice, raw and edited, on the generation path); AVIF is 10–40 %
 * smaller but 5–25× slower to encode (about 200 ms a frame: 10 s more per edit on two cores).
 */
export const DEFAULT_FRAME_ENCODING: FrameEncoding = { format: 'webp', quality: 85, effort: 2 };

export const FRAME_CONTENT_TYPES: Record<FrameFormat, string> = {
  png: 'image/png',
  webp: 'image/webp',
  avif: 'image/avif',
};

/** Whether a frame stored with this encoding keeps its pixels exactly. */
export const isLosslessEncoding = (encoding: FrameEncoding): boolean => encoding.format === 'png';

/** Encodes an image (any format sharp reads) as a stored frame. */
export async function encodeFrame(image: Buffer, encoding: FrameEncoding): Promise<Buffer> {
  const pipeline = sharp(image);
  switch (encoding.format) {
    case 'png':
      return pipeline.png({ compressionLevel: 6 }).toBuffer();
    case 'webp':
      return pipeline.webp({ quality: encoding.quality, effort: encoding.effort ?? 4 }).toBuffer();
    case 'avif':
      return pipeline.avif({ quality: encoding.quality, effort: encoding.effort ?? 2 }).toBuffer();
  }
}

/**
 * A stored frame (any format sharp reads) as a PNG: a result's download format when the frame's
 * lossless copy is gone. The pixels are the stored frame's (a lossy frame stays as close to the
 * generated one as its encoding kept: SSIM ≥ 0.99 at the default).
 */
export async function frameAsPng(image: Buffer): Promise<Buffer> {
  return sharp(image).png({ compressionLevel: 6 }).toBuffer();
}
