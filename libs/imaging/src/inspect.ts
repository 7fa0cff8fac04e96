import { DomainError, ErrorCode } from '@f2f/common';
import sharp from 'sharp';

import { sniffImageType } from './sniff';

export interface ImageLimits {
  maxBytes: number;
  maxPixels: number;
  minSide: number;
}

export const DEFAULT_IMAGE_LIMITS: ImageLimits = {
  maxBytes: 20 * 1024 * 1024,
  maxPixels: 25_000_000,
  minSide: 16,
};

const MIME_BY_FORMAT: Record<string, string> = {
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
};

export interface ImageInfo {
  format: 'jpeg' | 'png' | 'webp';
  mime: string;
  width: number;
  height: number;
  bytes: number;
}

/**
 * How strictly images are decoded, at the edge and in every later stage (libvips' `fail` level).
 * sharp's default is 'warning' too, which the stages (frames.ts, the collage, the metrics'
 * preprocessing, the preview generator) use: a PNG with a bad CRC ('truncated' lets it through),
 * a truncated file or a corrupt JPEG is refused here rather than failing a later stage.
 */
export const DECODE_FAIL_ON = 'warning' as const;

/**
 * The checks that need no decoder, in the calling thread: empty, size in bytes, and the magic
 * bytes (PNG, JPEG or WebP only). SVG, XML, GIF, TIFF, HEIF, PDF... never reach libvips.
 */
export function precheckImage(data: Buffer, limits: ImageLimits, label = 'the image'): ImageInfo['mime'] {
  if (data.length === 0) throw new DomainError(ErrorCode.InvalidImage, `${label} is empty`);
  if (data.length > limits.maxBytes) {
    throw new DomainError(
      ErrorCode.ImageTooLarge,
      `${label} is ${data.length} bytes; the limit is ${limits.maxBytes}`,
      { bytes: data.length, maxBytes: limits.maxBytes },
    );
  }
  const mime = sniffImageType(data);
  if (!mime) {
    throw new DomainError(
      ErrorCode.InvalidImage,
      `${label} is not a PNG, JPEG or WebP image (its first bytes say otherwise)`,
      { reason: 'format' },
    );
  }
  return mime;
}

type Metadata = Awaited<ReturnType<ReturnType<typeof sharp>['metadata']>>;

/** Format, dimensions and pixel count from the header alone (no pixels decoded). */
async function readHeader(data: Buffer, limits: ImageLimits, label: string): Promise<Metadata> {
  let meta: Metadata;
  try {
    meta = await sharp(data, { limitInputPixels: false, failOn: DECODE_FAIL_ON }).metadata();
  } catch {
    throw new DomainError(ErrorCode.InvalidImage, `${label} is not a readable PNG, JPEG or WebP image`);
  }
  const format = meta.format;
  if (!format || !(format in MIME_BY_FORMAT) || !meta.width || !meta.height) {
    throw new DomainError(
      ErrorCode.InvalidImage,
      `${label} has an unsupported format ${format ?? 'unknown'}; use JPEG, PNG or WebP`,
    );
  }
  if (meta.width * meta.height > limits.maxPixels) {
    throw new DomainError(
      ErrorCode.ImageTooLarge,
      `${label} has ${meta.width}×${meta.height} pixels; the limit is ${limits.maxPixels} pixels`,
      { width: meta.width, height: meta.height, maxPixels: limits.maxPixels },
    );
  }
  if (Math.min(meta.width, meta.height) < limits.minSide) {
    throw new DomainError(
      ErrorCode.InvalidImage,
      `${label} is smaller than ${limits.minSide} pixels on a side`,
    );
  }
  return meta;
}

/**
 * The whole inspection in the calling thread: the prechecks, the header against the limits, then a
 * full decode as strict as the later stages'. libvips gives up after `timeoutSeconds`.
 *
 * Anything a client sends goes through ImageInspector instead, which runs this in a worker thread
 * with a time limit; this is its body (and what the worker threads call).
 */
export async function inspectImageInThisThread(
  data: Buffer,
  limits: ImageLimits = DEFAULT_IMAGE_LIMITS,
  /** How messages name the image, e.g. "the ground-truth image". */
  label = 'the image',
  timeoutSeconds = 0,
): Promise<ImageInfo> {
  const mime = precheckImage(data, limits, label);
  const meta = await readHeader(data, limits, label);
  if (MIME_BY_FORMAT[meta.format as string] !== mime) {
    throw new DomainError(ErrorCode.InvalidImage, `${label} is not the ${mime} its first bytes say it is`);
  }
  try {
    await sharp(data, { limitInputPixels: limits.maxPixels, failOn: DECODE_FAIL_ON })
      .timeout({ seconds: timeoutSeconds })
      .raw()
      .toBuffer();
  } catch (error) {
    throw new DomainError(
      ErrorCode.InvalidImage,
      `${label} cannot be decoded: ${(error as Error).message.split('\n')[0]}`,
    );
  }
  // EXIF orientations 5..8 rotate by 90°: report the size the image is shown (and letterboxed) at.
  const rotated = (meta.orientation ?? 1) >= 5;
  return {
    format: meta.format as ImageInfo['format'],
    mime,
    width: rotated ? meta.height : meta.width,
    height: rotated ? meta.width : meta.height,
    bytes: data.length,
  };
}
