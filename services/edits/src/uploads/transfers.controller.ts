import type { IncomingMessage, ServerResponse } from 'node:http';

import type { Logger } from '@f2f/common';
import { LOGGER, sendTransferError } from '@f2f/platform';
import { Controller, Get, Inject, Param, Put, Req, Res } from '@nestjs/common';

import { ReceiveUploadUseCase } from './receive-upload/receive-upload.use-case';
import { ServeFileUseCase } from './serve-file/serve-file.use-case';

/**
 * The bodies behind the gateway's signed URLs (`PUT /v1/uploads/<token>`, `GET /v1/files/<token>`),
 * which the gateway streams here. The token in the path is the authorisation: it is verified here
 * again, whatever the gateway checked. Not part of the GraphQL API.
 */
@Controller('internal')
export class TransfersController {
  constructor(
    private readonly receiveUpload: ReceiveUploadUseCase,
    private readonly serveFile: ServeFileUseCase,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  @Put('uploads/:token')
  async upload(
    @Param('token') token: string,
    @Req() req: IncomingMessage,
    @Res() res: ServerResponse,
  ): Promise<void> {
    try {
      const receipt = await this.receiveUpload.execute(token, req.headers, req);
      const body = JSON.stringify(receipt);
      res.writeHead(201, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
      res.end(body);
    } catch (error) {
      sendTransferError(req, res, error, this.logger);
    }
  }

  @Get('files/:token')
  async file(
    @Param('token') token: string,
    @Req() req: IncomingMessage,
    @Res() res: ServerResponse,
  ): Promise<void> {
    try {
      const file = await this.serveFile.execute(token);
      const headers = {
        'cache-control': `private, max-age=${file.maxAgeSeconds}`,
        etag: file.etag,
        'x-content-type-options': 'nosniff',
      };
      if (req.headers['if-none-match'] === file.etag) {
        res.writeHead(304, headers);
        res.end();
        return;
      }
      res.writeHead(200, {
        ...headers,
        'content-type': file.contentType,
        'content-length': file.data.length,
      });
      res.end(file.data);
    } catch (error) {
      sendTransferError(req, res, error, this.logger);
    }
  }
}
