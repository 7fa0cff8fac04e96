/** Bytes needed to tell the accepted formats apart (WebP: `RIFF` size `WEBP`). */
export const SNIFF_BYTES = 12;

/**
 * The image type the first bytes of a file say it is (PNG, JPEG or WebP), or null: a check of the
 * magic numbers that needs no decoder, done before anything parses the file.
 */
export function sniffImageType(head: Buffer): 'image/png' | 'image/jpeg' | 'image/webp' | null {
  if (
    head.length >= 8 &&
    head[0] === 0x89 &&
    head.subarray(1, 4).toString('latin1') === 'PNG' &&
    head[4] === 0x0d &&
    head[5] === 0x0a &&
    head[6] === 0x1a &&
    head[7] === 0x0a
  )
    return 'image/png';
  if (head.length >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'image/jpeg';
  if (
    head.length >= 12 &&
    head.subarray(0, 4).toString('latin1') === 'RIFF' &&
    head.subarray(8, 12).toString('latin1') === 'WEBP'
  )
    return 'image/webp';
  return null;
}
