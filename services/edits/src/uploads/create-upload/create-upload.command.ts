import { DomainError, ErrorCode } from '@f2f/common';
import type { TenantId } from '@f2f/database';
import { isUploadContentType, UPLOAD_CONTENT_TYPES, type UploadContentType } from '@f2f/platform';

import type { UploadPurpose } from '../uploads.repository';

export interface CreateUploadInput {
  contentType: string;
  byteSize: number;
  /** GraphQL's SOURCE or GROUND_TRUTH. */
  purpose?: string | null;
}

/** A validated request for an upload URL: building one is validating it. */
export class CreateUploadCommand {
  private constructor(
    readonly tenantId: TenantId,
    readonly contentType: UploadContentType,
    readonly byteSize: number,
    readonly purpose: UploadPurpose,
  ) {}

  static create(tenantId: TenantId, input: CreateUploadInput, maxImageBytes: number): CreateUploadCommand {
    const contentType = input.contentType.split(';')[0].trim().toLowerCase();
    if (!isUploadContentType(contentType)) {
      throw new DomainError(
        ErrorCode.UnsupportedMediaType,
        `contentType ${JSON.stringify(input.contentType)} is not accepted; use ${UPLOAD_CONTENT_TYPES.join(', ')}`,
      );
    }
    if (!Number.isInteger(input.byteSize) || input.byteSize < 1)
      throw new DomainError(ErrorCode.InvalidInput, 'byteSize must be the image size in bytes, 1 or more');
    if (input.byteSize > maxImageBytes) {
      throw new DomainError(
        ErrorCode.ImageTooLarge,
        `the image is ${input.byteSize} bytes; the limit is ${maxImageBytes}`,
        { bytes: input.byteSize, maxBytes: maxImageBytes },
      );
    }
    const purpose = (input.purpose ?? 'SOURCE') === 'GROUND_TRUTH' ? 'ground-truth' : 'source';
    return new CreateUploadCommand(tenantId, contentType, input.byteSize, purpose);
  }
}
