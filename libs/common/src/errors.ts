/**
 * Domain error codes. Every transport maps each code with an exhaustive switch
 * (GraphQL extensions.code at the API, gRPC status at the worker, retry vs dead-letter in consumers).
 */
export enum ErrorCode {
  InvalidInput = 'INVALID_INPUT',
  InvalidImage = 'INVALID_IMAGE',
  /** An image type the platform does not accept (PNG, JPEG and WebP are). */
  UnsupportedMediaType = 'UNSUPPORTED_MEDIA_TYPE',
  ImageTooLarge = 'IMAGE_TOO_LARGE',
  InvalidCaption = 'INVALID_CAPTION',
  NotFound = 'NOT_FOUND',
  Conflict = 'CONFLICT',
  /** A tenant has as many unfinished edits as the deployment allows. */
  TooManyEdits = 'TOO_MANY_EDITS',
  /** A tenant has as many unrevoked API keys as the deployment allows. */
  TooManyApiKeys = 'TOO_MANY_API_KEYS',
  /** A tenant has as many open (unused, unexpired) uploads as the deployment allows. */
  TooManyUploads = 'TOO_MANY_UPLOADS',
  Unavailable = 'UNAVAILABLE',
  Internal = 'INTERNAL',
}

export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export function assertNever(value: never): never {
  throw new Error(`unhandled case: ${String(value)}`);
}

/** Whether a failure is worth retrying (a transient condition) or final (bad input, a bug). */
export function isRetryable(code: ErrorCode): boolean {
  switch (code) {
    case ErrorCode.Unavailable:
    case ErrorCode.Internal:
      return true;
    case ErrorCode.InvalidInput:
    case ErrorCode.InvalidImage:
    case ErrorCode.UnsupportedMediaType:
    case ErrorCode.ImageTooLarge:
    case ErrorCode.InvalidCaption:
    case ErrorCode.NotFound:
    case ErrorCode.Conflict:
    case ErrorCode.TooManyEdits:
    case ErrorCode.TooManyApiKeys:
    case ErrorCode.TooManyUploads:
      return false;
    default:
      return assertNever(code);
  }
}
