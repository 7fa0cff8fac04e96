import { DomainError, ErrorCode } from './errors';

/** A lone UTF-16 surrogate: with the `u` flag a well-formed pair is one code point, not Cs. */
const LONE_SURROGATE = /\p{Cs}/u;
const LONE_SURROGATE_ALL = /\p{Cs}/gu;

/**
 * Why Postgres could not store a string faithfully, or null. A lone UTF-16 surrogate is not
 * well-formed Unicode: a JSON column refuses its \uD800 escape, a text column silently turns it
 * into U+FFFD. A NUL character (U+0000) is refused by text and JSON columns alike.
 */
export function unstorableTextReason(value: string): string | null {
  if (LONE_SURROGATE.test(value)) return 'contains a lone UTF-16 surrogate (not well-formed Unicode)';
  if (value.includes('\u0000')) return 'contains a NUL character (U+0000)';
  return null;
}

/**
 * The text a client sent, refused with a clear message (never INTERNAL at the database) when it
 * cannot be stored. `field` names it in the message; `code` is INVALID_CAPTION for captions.
 */
export function assertStorableText(
  value: string,
  field: string,
  code: ErrorCode = ErrorCode.InvalidInput,
): string {
  const reason = unstorableTextReason(value);
  if (reason) throw new DomainError(code, `${field} ${reason}`, { field });
  return value;
}

/**
 * A record of text the platform did not choose (a VLM's answer, an upstream error) made storable:
 * lone surrogates and NUL characters become U+FFFD. Text a client sends is refused instead.
 */
export function toStorableText(value: string): string {
  return value.replace(LONE_SURROGATE_ALL, '\ufffd').replaceAll('\u0000', '\ufffd');
}
