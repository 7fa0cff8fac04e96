import type { TenantId } from '@f2f/database';
import { CurrentTenant, RequireScopes } from '@f2f/platform';
import { Args, Mutation, Resolver } from '@nestjs/graphql';
import { Inject } from '@nestjs/common';

import { CreateUploadCommand, type CreateUploadInput } from './create-upload/create-upload.command';
import { CreateUploadUseCase, type UploadTicket } from './create-upload/create-upload.use-case';
import { UPLOAD_SETTINGS, type UploadSettings } from './upload-settings';

@Resolver('UploadTicket')
export class UploadsResolver {
  constructor(
    private readonly createUploadUseCase: CreateUploadUseCase,
    @Inject(UPLOAD_SETTINGS) private readonly settings: UploadSettings,
  ) {}

  @Mutation('createUpload')
  @RequireScopes('write')
  createUpload(
    @CurrentTenant() tenantId: TenantId,
    @Args('input') input: CreateUploadInput,
  ): Promise<UploadTicket> {
    return this.createUploadUseCase.execute(
      CreateUploadCommand.create(tenantId, input, this.settings.maxImageBytes),
    );
  }
}
