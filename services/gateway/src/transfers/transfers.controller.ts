import type { IncomingMessage, ServerResponse } from 'node:http';

import type { Logger } from '@f2f/common';
import {
  checkUploadHeaders,
  sendTransferError,
  SignedTokenError,
  TransferError,
  tokenFailure,
  verifyFileToken,
  verifyUploadToken,
} from '@f2f/platform';
import { Controller, Get, Inject, Param, Put, Req, Res } from '@nestjs/common';

import type { RateLimiter } from '../limits/rate-limiter';
import { EditsTransfersClient } from './edits-transfers.client';

export const TRANSFERS = Symbol('Transfers');
export interface TransfersSetup {
  client: EditsTransfersClient;
  /** SIGNED_URL_SECRET. */
  secret: string;
  /** Per tenant (the token's), apart from the API's: a path's 49 frames load at once. */
  limiter: RateLimiter;
  logger: Logger;
}

const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

/**
 * The public side of signed URLs: `PUT /v1/uploads/<token>` (an image for createEdit) and
 * `GET /v1/files/<token>` (a source, frame or collage). The token is the authorisation (no API key):
 * the gateway checks its signature and expiry, and an upload's headers, so that nothing bad reaches
 * edits, then streams the request to edits, which checks everything again and owns the bytes.
 */
@Controller('v1')
export class TransfersController {
  constructor(@Inject(TRANSFERS) private readonly setup: TransfersSetup) {}

  @Put('uploads/:token')
  async upload(
    @Param('token') token: string,
    @Req() req: IncomingMessage,
    @Res() res: ServerResponse,
  ): Promise<void> {
    try {
      const grant = this.verify(() => verifyUploadToken(token, this.setup.secret), 'upload');
      this.limit(grant.tenantId);
      const length = checkUploadHeaders(grant, req.headers);
      await this.setup.client.forward(
        `/internal/uploads/${encodeURIComponent(token)}`,
        req,
        res,
        {
          'content-type': grant.contentType,
          'content-length': length,
          ...requestId(req),
        },
        true,
      );
    } catch (error) {
      sendTransferError(req, res, error, this.setup.logger);
    }
  }

  @Get('files/:token')
  async file(
    @Param('token') token: string,
    @Req() req: IncomingMessage,
    @Res() res: ServerResponse,
  ): Promise<void> {
    try {
      this.limit(this.verify(() => verifyFileToken(token, this.setup.secret), 'file').tenantId);
      const etag = first(req.headers['if-none-match']);
      await this.setup.client.forward(
        `/internal/files/${encodeURIComponent(token)}`,
        req,
        res,
        { ...(etag ? { 'if-none-match': etag } : {}), ...requestId(req) },
        false,
      );
    } catch (error) {
      sendTransferError(req, res, error, this.setup.logger);
    }
  }

  private limit(tenantId: string): void {
    const wait = this.setup.limiter.take(tenantId);
    if (wait > 0) {
      throw new TransferError('RATE_LIMITED', `too many uploads and downloads; retry in ${wait} s`, {
        retryAfterSeconds: wait,
      });
    }
  }

  private verify<T>(check: () => T, kind: 'upload' | 'file'): T {
    try {
      return check();
    } catch (error) {
      if (error instanceof SignedTokenError) throw tokenFailure(error, kind);
      throw error;
    }
  }
}

function requestId(req: IncomingMessage): Record<string, string> {
  const given = first(req.headers['x-request-id']);
  return given && /^[\w.-]{1,100}$/.test(given) ? { 'x-request-id': given } : {};
}
