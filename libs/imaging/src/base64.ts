import { DomainError, ErrorCode } from '@f2f/common';

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Decodes an image sent as base64 (optionally a data: URL) strictly, refusing an oversized one from
 * its length before decoding it. `field` names the input in messages.
 */
export function decodeBase64Image(value: string, maxBytes: number, field = 'imageBase64'): Buffer {
  const body = value.replace(/^data:[a-z/+.-]+;base64,/i, '').replace(/\s+/g, '');
  const approxBytes = Math.floor((body.length * 3) / 4);
  if (approxBytes > maxBytes + 2) {
    throw new DomainError(
      ErrorCode.ImageTooLarge,
      `${field}: the image is about ${approxBytes} bytes; the limit is ${maxBytes}`,
      {
        maxBytes,
      },
    );
  }
  if (body.length === 0) throw new DomainError(ErrorCode.InvalidImage, `${field}: the image is empty`);
  if (body.length % 4 !== 0 || !BASE64.test(body))
    throw new DomainError(ErrorCode.InvalidImage, `${field} is not valid base64`);
  return Buffer.from(body, 'base64');
}
