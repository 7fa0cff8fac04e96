import { randomUUID } from 'node:crypto';

import { type Clock, DomainError, ErrorCode } from '@f2f/common';
import { CLOCK, SIGNED_URLS, type SignedUrls } from '@f2f/platform';
import { Inject, Injectable } from '@nestjs/common';

import { UPLOAD_SETTINGS, type UploadSettings } from '../upload-settings';
import { UploadsRepository } from '../uploads.repository';
import type { CreateUploadCommand } from './create-upload.command';

export interface UploadTicket {
  id: string;
  url: string;
  method: 'PUT';
  headers: { name: string; value: string }[];
  expiresAt: string;
  maxBytes: number;
}

/** Records a pending upload of the tenant and hands out the signed URL its image is PUT to. */
@Injectable()
export class CreateUploadUseCase {
  constructor(
    private readonly uploads: UploadsRepository,
    @Inject(SIGNED_URLS) private readonly urls: SignedUrls,
    @Inject(UPLOAD_SETTINGS) private readonly settings: UploadSettings,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute(command: CreateUploadCommand): Promise<UploadTicket> {
    const id = randomUUID();
    const now = this.clock.now();
    // Whole seconds: the signed expiry and the row's are the same instant.
    const expiresAt = new Date(Math.floor(now.getTime() / 1000) * 1000 + this.settings.ttlSeconds * 1000);
    const max = this.settings.maxOpenUploadsPerTenant;
    const result = await this.uploads.createUnderCap(
      command.tenantId,
      {
        id,
        purpose: command.purpose,
        contentType: command.contentType,
        maxBytes: command.byteSize,
        expiresAt,
      },
      max,
      now,
    );
    if (!result) throw new DomainError(ErrorCode.NotFound, `there is no tenant ${command.tenantId}`);
    if ('open' in result) {
      throw new DomainError(
        ErrorCode.TooManyUploads,
        `the tenant has ${result.open} open uploads, as many as allowed (${max}); use them in edits or let them expire`,
        { limit: max, open: result.open },
      );
    }
    return {
      id,
      url: this.urls.uploadUrl({
        tenantId: command.tenantId,
        uploadId: id,
        contentType: command.contentType,
        maxBytes: command.byteSize,
        expiresAt,
      }),
      method: 'PUT',
      headers: [{ name: 'Content-Type', value: command.contentType }],
      expiresAt: expiresAt.toISOString(),
      maxBytes: command.byteSize,
    };
  }
}
