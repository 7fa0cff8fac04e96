import { DomainError, ErrorCode } from '@f2f/common';
import sharp from 'sharp';

export interface ImageLimits {
  maxBytes: number;
  maxPixels: number;
  minSide: number;
}

export const DEFAULT_IMAGE_LIMITS: ImageLimits = {
  maxBytes: 20 * 1024 * 1024,
  maxPixels: 40_000_000,
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
 * Validates an uploaded image before anything else touches it: size in bytes first, then the
 * header (format, dimensions, pixel count) without decoding the pixels, then a full decode, so a
 * truncated or corrupt file is refused at the edge.
 */
export async function inspectImage(
  data: Buffer,
  limits: ImageLimits = DEFAULT_IMAGE_LIMITS,
  /** How messages name the image, e.g. "the ground-truth image". */
  label = 'the image',
): Promise<ImageInfo> {
  if (data.length === 0) throw new DomainError(ErrorCode.InvalidImage, `${label} is empty`);
  if (data.length > limits.maxBytes) {
    throw new DomainError(
      ErrorCode.ImageTooLarge,
      `${label} is ${data.length} bytes; the limit is ${limits.maxBytes}`,
      {
        bytes: data.length,
        maxBytes: limits.maxBytes,
      },
    );
  }
  let meta: Awaited<ReturnType<ReturnType<typeof sharp>['metadata']>>;
  try {
    meta = await sharp(data, { limitInputPixels: false }).metadata();
  } catch {
    throw new DomainError(ErrorCode.InvalidImage, `${label} is not a supported image (JPEG, PNG or WebP)`);
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
  try {
    await sharp(data, { limitInputPixels: limits.maxPixels, failOn: 'truncated' }).raw().toBuffer();
  } catch (error) {
    throw new DomainError(ErrorCode.InvalidImage, `${label} cannot be decoded: ${(error as Error).message}`);
  }
  // EXIF orientations 5..8 rotate by 90°: report the size the image is shown (and letterboxed) at.
  const rotated = (meta.orientation ?? 1) >= 5;
  return {
    format: format as ImageInfo['format'],
    mime: MIME_BY_FORMAT[format],
    width: rotated ? meta.height : meta.width,
    height: rotated ? meta.width : meta.height,
    bytes: data.length,
  };
}
