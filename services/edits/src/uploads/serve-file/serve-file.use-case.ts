import { createHash } from 'node:crypto';

import type { Clock } from '@f2f/common';
import {
  BLOB_STORE,
  CLOCK,
  SignedTokenError,
  tokenFailure,
  TransferError,
  verifyFileToken,
} from '@f2f/platform';
import type { BlobStore } from '@f2f/storage';
import { Inject, Injectable } from '@nestjs/common';

import { UPLOAD_SETTINGS, type UploadSettings } from '../upload-settings';

export interface ServedFile {
  data: Buffer;
  contentType: string;
  etag: string;
  /** Seconds until the URL expires (Cache-Control max-age). */
  maxAgeSeconds: number;
}

const CONTENT_TYPES: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  webp: 'image/webp',
  avif: 'image/avif',
  mp4: 'video/mp4',
};

/**
 * The blob a signed download URL names, after checking its signature, its expiry, and that its key
 * lies under its tenant's prefix (verifyFileToken); a bad token never reads a byte of any file.
 */
@Injectable()
export class ServeFileUseCase {
  constructor(
    @Inject(BLOB_STORE) private readonly blobs: BlobStore,
    @Inject(UPLOAD_SETTINGS) private readonly settings: UploadSettings,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute(token: string): Promise<ServedFile> {
    const now = this.clock.now();
    let grant;
    try {
      grant = verifyFileToken(token, this.settings.secret, now);
    } catch (error) {
      if (error instanceof SignedTokenError) throw tokenFailure(error, 'file');
      throw error;
    }
    let data: Buffer;
    try {
      data = await this.blobs.get(grant.key);
    } catch {
      throw new TransferError('FILE_NOT_FOUND', 'the file no longer exists');
    }
    const ext = grant.key.slice(grant.key.lastIndexOf('.') + 1).toLowerCase();
    return {
      data,
      contentType: CONTENT_TYPES[ext] ?? 'application/octet-stream',
      etag: `"${createHash('sha256').update(data).digest('base64url')}"`,
      maxAgeSeconds: Math.max(0, Math.floor((grant.expiresAt.getTime() - now.getTime()) / 1000)),
    };
  }
}
