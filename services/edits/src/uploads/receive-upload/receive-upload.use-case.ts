import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';

import { type Clock, DomainError, ErrorCode } from '@f2f/common';
import { asTenantId } from '@f2f/database';
import { ImageInspector, SNIFF_BYTES, sniffImageType } from '@f2f/imaging';
import {
  BLOB_STORE,
  checkUploadHeaders,
  CLOCK,
  SignedTokenError,
  tokenFailure,
  TransferError,
  type UploadGrant,
  verifyUploadToken,
} from '@f2f/platform';
import { blobKeys, type BlobStore } from '@f2f/storage';
import { Inject, Injectable } from '@nestjs/common';

import { UPLOAD_SETTINGS, type UploadSettings } from '../upload-settings';
import { UploadsRepository } from '../uploads.repository';
import { readCapped } from './read-capped';

export interface UploadReceipt {
  id: string;
  status: 'UPLOADED';
  contentType: string;
  bytes: number;
  sha256: string;
  width: number;
  height: number;
  expiresAt: string;
}

type Headers = Record<string, string | string[] | undefined>;

const EXTENSION: Record<string, string> = { 'image/png': 'png', 'image/jpeg': 'jpg', 'image/webp': 'webp' };

/**
 * Takes the body of a signed upload URL. In order, and each before the next costs anything: the
 * token (signature, expiry), the headers (type in the allowlist and the signed one, Content-Length
 * present and within the signed size), the upload row (the tenant's, still pending), the body read
 * with a cap, its magic bytes against the type (as soon as they arrive), the dimensions from the
 * header against the pixel limit, and only then a full decode. The image is then stored and the
 * upload marked uploaded, once: a second body for the same URL is refused.
 */
@Injectable()
export class ReceiveUploadUseCase {
  constructor(
    private readonly uploads: UploadsRepository,
    @Inject(BLOB_STORE) private readonly blobs: BlobStore,
    @Inject(UPLOAD_SETTINGS) private readonly settings: UploadSettings,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly inspector: ImageInspector,
  ) {}

  async execute(token: string, headers: Headers, body: Readable): Promise<UploadReceipt> {
    const grant = this.verify(token);
    const declared = checkUploadHeaders(grant, headers);
    const tenantId = asTenantId(grant.tenantId);
    const upload = await this.uploads.find(tenantId, grant.uploadId);
    if (!upload || upload.contentType !== grant.contentType)
      throw new TransferError('UPLOAD_NOT_FOUND', 'there is no such upload');
    if (upload.status !== 'pending')
      throw new TransferError('UPLOAD_ALREADY_USED', 'this upload URL has already taken an image');
    if (upload.expiresAt.getTime() <= this.clock.now().getTime())
      throw tokenFailure(new SignedTokenError('expired'), 'upload');

    const maxBytes = Math.min(grant.maxBytes, this.settings.maxImageBytes);
    const data = await readCapped(body, maxBytes, {
      headBytes: SNIFF_BYTES,
      expectedBytes: declared,
      checkHead: (head) => {
        const actual = sniffImageType(head);
        if (actual !== grant.contentType)
          throw new TransferError(
            'INVALID_IMAGE',
            `the body is not ${grant.contentType}: its first bytes are ${actual ? `those of ${actual}` : 'no accepted image type'}`,
          );
      },
    });
    const info = await this.inspect(data);
    if (info.mime !== grant.contentType)
      throw new TransferError('INVALID_IMAGE', `the body decodes as ${info.mime}, not ${grant.contentType}`);

    const key = blobKeys.upload(tenantId, upload.id, randomBytes(6).toString('hex'), EXTENSION[info.mime]);
    const stored = await this.blobs.put(key, data, info.mime);
    const now = this.clock.now();
    const marked = await this.uploads.markUploaded(
      tenantId,
      upload.id,
      { blobKey: key, bytes: stored.bytes, sha256: stored.sha256, width: info.width, height: info.height },
      now,
    );
    if (!marked) {
      // Another body for the same URL was taken first, or the upload expired while this one arrived.
      await this.blobs.delete(key).catch(() => undefined);
      const current = await this.uploads.find(tenantId, upload.id);
      if (current && current.status !== 'pending')
        throw new TransferError('UPLOAD_ALREADY_USED', 'this upload URL has already taken an image');
      throw tokenFailure(new SignedTokenError('expired'), 'upload');
    }
    return {
      id: upload.id,
      status: 'UPLOADED',
      contentType: info.mime,
      bytes: stored.bytes,
      sha256: stored.sha256,
      width: info.width,
      height: info.height,
      expiresAt: upload.expiresAt.toISOString(),
    };
  }

  private verify(token: string): UploadGrant {
    try {
      return verifyUploadToken(token, this.settings.secret, this.clock.now());
    } catch (error) {
      if (error instanceof SignedTokenError) throw tokenFailure(error, 'upload');
      throw error;
    }
  }

  /** Dimensions from the header against the pixel limit first (no decoding), then a full decode. */
  private async inspect(data: Buffer) {
    try {
      return await this.inspector.inspect(data, {
        maxBytes: this.settings.maxImageBytes,
        maxPixels: this.settings.maxImagePixels,
        minSide: 16,
      });
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      throw new TransferError(
        error.code === ErrorCode.ImageTooLarge ? 'IMAGE_TOO_LARGE' : 'INVALID_IMAGE',
        error.message,
        error.details,
      );
    }
  }
}
