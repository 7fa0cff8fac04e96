import { createDatabase, type PrismaClient as ServiceClient } from '../../database';
import { randomUUID } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';

import { createLogger, DomainError, ErrorCode } from '@f2f/common';
import type { TenantId } from '@f2f/database';
import { ImageInspector } from '@f2f/imaging';
import {
  BLOB_STORE,
  CLOCK,
  LOGGER,
  PRISMA,
  SIGNED_URLS,
  SignedUrls,
  signFileToken,
  signUploadToken,
} from '@f2f/platform';
import { FilesystemBlobStore } from '@f2f/storage';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';

import { createTestDatabase, type TestDatabase } from '../../../../../test/support/database';
import { makeImage, makeImageInspector, makePixelBombPng } from '../../../../../test/support/factories';
import { billionLaughsSvg, withBadIdatCrc } from '../../../../../test/support/hostile-images';
import { makeTenant } from '../../__tests__/factories';
import { CreateEditCommand, type CreateEditInput } from '../../create-edit/create-edit.command';
import { CreateEditUseCase, type EditLimits } from '../../create-edit/create-edit.use-case';
import { prismaRepositories } from '../../testing/prisma-repositories';
import { CreateUploadCommand, type CreateUploadInput } from '../create-upload/create-upload.command';
import { CreateUploadUseCase, type UploadTicket } from '../create-upload/create-upload.use-case';
import { ReceiveUploadUseCase } from '../receive-upload/receive-upload.use-case';
import { ServeFileUseCase } from '../serve-file/serve-file.use-case';
import { SweepUploadsUseCase } from '../sweep-uploads/sweep-uploads.use-case';
import { TransfersController } from '../transfers.controller';
import { UPLOAD_SETTINGS, type UploadSettings } from '../upload-settings';
import { UploadsRepository } from '../uploads.repository';

const SECRET = 'upload-secret-'.repeat(3);
const settings: UploadSettings = {
  ttlSeconds: 900,
  maxImageBytes: 256 * 1024,
  maxImagePixels: 4_000_000,
  secret: SECRET,
  sweepIntervalSeconds: 0,
  maxOpenUploadsPerTenant: 1000,
};
const limits: EditLimits = {
  maxImageBytes: settings.maxImageBytes,
  maxImagePixels: settings.maxImagePixels,
  maxCaptionLength: 500,
  defaultModel: 'preview',
  servedModels: ['preview'],
  maxUnfinishedEdits: 1000,
};

/** A clock the tests move forward (expiry). */
let clockNow = Date.now();
const clock = { now: () => new Date(clockNow) };

let db: TestDatabase<ServiceClient>;
let app: INestApplication;
let origin: string;
let blobs: FilesystemBlobStore;
let createUpload: CreateUploadUseCase;
let sweep: SweepUploadsUseCase;
let createEdit: CreateEditUseCase;
const inspector = makeImageInspector();
let tenant: TenantId;
let other: TenantId;
let png: Buffer;
let jpeg: Buffer;

beforeAll(async () => {
  db = await createTestDatabase('uploads', createDatabase);
  blobs = new FilesystemBlobStore(await mkdtemp(path.join(os.tmpdir(), 'f2f-uploads-')));
  const module = await Test.createTestingModule({
    controllers: [TransfersController],
    providers: [
      { provide: PRISMA, useValue: db.prisma },
      { provide: BLOB_STORE, useValue: blobs },
      { provide: CLOCK, useValue: clock },
      { provide: LOGGER, useValue: createLogger('edits-test', 'silent') },
      { provide: UPLOAD_SETTINGS, useValue: settings },
      {
        provide: SIGNED_URLS,
        useValue: new SignedUrls({
          secret: SECRET,
          publicBaseUrl: 'http://gateway.test',
          ttlSeconds: 900,
          now: clock.now,
        }),
      },
      { provide: ImageInspector, useValue: inspector },
      UploadsRepository,
      CreateUploadUseCase,
      ReceiveUploadUseCase,
      ServeFileUseCase,
      SweepUploadsUseCase,
    ],
  }).compile();
  app = module.createNestApplication({ logger: false });
  await app.listen(0, '127.0.0.1');
  origin = `http://127.0.0.1:${((app.getHttpServer() as http.Server).address() as AddressInfo).port}`;
  createUpload = module.get(CreateUploadUseCase);
  sweep = module.get(SweepUploadsUseCase);
  const repos = prismaRepositories(db.prisma);
  createEdit = new CreateEditUseCase(
    repos.transactions,
    blobs,
    limits,
    repos.outbox,
    repos.edits,
    repos.history,
    new UploadsRepository(db.prisma),
    inspector,
    clock,
  );
  tenant = await makeTenant(db.prisma, 'a');
  other = await makeTenant(db.prisma, 'b');
  png = await makeImage(96, 64, 'png');
  jpeg = await makeImage(96, 64, 'jpeg');
});

afterAll(async () => {
  await app?.close();
  await inspector.close();
  await db?.drop();
});

beforeEach(() => {
  clockNow = Date.now();
});

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  json: { code?: string; message?: string; [key: string]: unknown };
}

/**
 * One raw HTTP request. `declared` overrides Content-Length; `sendBytes` sends only that many bytes
 * of the body (then waits for the answer). The answer may come before the body is sent: it counts.
 */
function request(
  method: string,
  urlPath: string,
  options: { headers?: Record<string, string | number>; body?: Buffer; sendBytes?: number } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${origin}${urlPath}`, { method, headers: options.headers, agent: false });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        const text = body.toString();
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body,
          json: text.startsWith('{') ? JSON.parse(text) : {},
        });
        req.destroy();
      });
    });
    req.on('error', (error: NodeJS.ErrnoException) => {
      // Writing the rest of a body the server has already refused; the answer is what counts.
      if (error.code !== 'EPIPE' && error.code !== 'ECONNRESET') reject(error);
    });
    if (options.body) req.write(options.body.subarray(0, options.sendBytes ?? options.body.length));
    if (options.sendBytes === undefined) req.end();
  });
}

const ticket = (input: Partial<CreateUploadInput> = {}, tenantId = tenant): Promise<UploadTicket> =>
  createUpload.execute(
    CreateUploadCommand.create(
      tenantId,
      { contentType: 'image/png', byteSize: png.length, ...input },
      settings.maxImageBytes,
    ),
  );

const internalPath = (t: UploadTicket) => `/internal/uploads/${t.url.slice(t.url.lastIndexOf('/') + 1)}`;

const put = (t: UploadTicket, body: Buffer, headers: Record<string, string | number> = {}) =>
  request('PUT', internalPath(t), {
    headers: { 'content-type': 'image/png', 'content-length': body.length, ...headers },
    body,
  });

async function codeOf(work: () => Promise<unknown>): Promise<string> {
  try {
    await work();
  } catch (err) {
    return err instanceof DomainError ? err.code : String(err);
  }
  return 'no error';
}

describe('PUT /internal/uploads/<token>', () => {
  it('takes a PNG once, stores it under the tenant, and refuses a second body (409)', async () => {
    const t = await ticket();
    expect(t.url.startsWith('http://gateway.test/v1/uploads/')).toBe(true);
    const first = await put(t, png);
    expect(first.status).toBe(201);
    expect(first.json).toMatchObject({
      id: t.id,
      status: 'UPLOADED',
      width: 96,
      height: 64,
      bytes: png.length,
    });
    const row = await db.prisma.upload.findUniqueOrThrow({ where: { id: t.id } });
    expect(row).toMatchObject({ tenantId: tenant, status: 'uploaded', width: 96, height: 64 });
    expect(row.blobKey?.startsWith(`tenants/${tenant}/uploads/${t.id}/`)).toBe(true);
    expect((await blobs.get(row.blobKey as string)).equals(png)).toBe(true);

    const again = await put(t, png);
    expect(again.status).toBe(409);
    expect(again.json.code).toBe('UPLOAD_ALREADY_USED');
  });

  it('refuses a body over the signed size from its Content-Length, without reading it (413)', async () => {
    const t = await ticket({ byteSize: 1000 });
    const big = Buffer.concat([png, Buffer.alloc(200_000)]);
    const res = await request('PUT', internalPath(t), {
      headers: { 'content-type': 'image/png', 'content-length': big.length },
      body: big,
      sendBytes: 16 * 1024,
    });
    expect(res.status).toBe(413);
    expect(res.json.code).toBe('IMAGE_TOO_LARGE');
    expect(res.headers.connection).toBe('close');
    expect((await db.prisma.upload.findUniqueOrThrow({ where: { id: t.id } })).status).toBe('pending');
  });

  it('refuses a missing Content-Length (chunked) with 411', async () => {
    const t = await ticket();
    const res = await request('PUT', internalPath(t), {
      headers: { 'content-type': 'image/png', 'transfer-encoding': 'chunked' },
      body: png,
    });
    expect(res.status).toBe(411);
    expect(res.json.code).toBe('LENGTH_REQUIRED');
  });

  it('refuses a type outside the allowlist, or not the signed one (415)', async () => {
    const t = await ticket();
    for (const type of ['image/gif', 'image/jpeg', 'text/plain']) {
      const res = await put(t, png, { 'content-type': type });
      expect([res.status, res.json.code]).toEqual([415, 'UNSUPPORTED_MEDIA_TYPE']);
    }
  });

  it('refuses a body whose bytes are not the declared type (a lying Content-Type)', async () => {
    const t = await ticket({ byteSize: jpeg.length });
    const res = await put(t, jpeg);
    expect(res.status).toBe(422);
    expect(res.json.code).toBe('INVALID_IMAGE');
    expect(res.json.message).toMatch(/not image\/png.*image\/jpeg/);
    // A refused body leaves the URL usable for a good one.
    expect((await db.prisma.upload.findUniqueOrThrow({ where: { id: t.id } })).status).toBe('pending');
  });

  it('refuses an SVG (billion laughs) and a PNG with a bad CRC sent as image/png', async () => {
    const svg = billionLaughsSvg();
    const s = await put(await ticket({ byteSize: svg.length }), svg);
    expect([s.status, s.json.code]).toEqual([422, 'INVALID_IMAGE']);
    const bad = withBadIdatCrc(png);
    const b = await put(await ticket({ byteSize: bad.length }), bad);
    expect([b.status, b.json.code]).toEqual([422, 'INVALID_IMAGE']);
    expect(b.json.message).toMatch(/cannot be decoded/);
  });

  it('refuses a pixel bomb from its header, without decoding it', async () => {
    const bomb = makePixelBombPng(50_000, 50_000);
    expect(bomb.length).toBeLessThan(2000);
    const t = await ticket({ byteSize: bomb.length });
    const started = Date.now();
    const res = await put(t, bomb);
    expect(res.status).toBe(413);
    expect(res.json.code).toBe('IMAGE_TOO_LARGE');
    expect(res.json.message).toMatch(/50000×50000/);
    // Decoding 7.5 GB of pixels would take far longer (and the memory).
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('refuses a truncated image (full decode) and garbage after a valid signature', async () => {
    const truncated = png.subarray(0, Math.floor(png.length / 2));
    const t = await ticket({ byteSize: truncated.length });
    const res = await put(t, truncated);
    expect([res.status, res.json.code]).toEqual([422, 'INVALID_IMAGE']);
    const garbage = Buffer.concat([png.subarray(0, 16), Buffer.alloc(500, 7)]);
    const g = await put(await ticket({ byteSize: garbage.length }), garbage);
    expect([g.status, g.json.code]).toEqual([422, 'INVALID_IMAGE']);
  });

  it('refuses an expired URL (410) and a tampered or forged one (403)', async () => {
    const t = await ticket();
    clockNow += 901_000;
    const expired = await put(t, png);
    expect([expired.status, expired.json.code]).toEqual([410, 'UPLOAD_EXPIRED']);
    clockNow = Date.now();

    const token = t.url.slice(t.url.lastIndexOf('/') + 1);
    const tampered = token.slice(0, 10) + (token[10] === 'A' ? 'B' : 'A') + token.slice(11);
    const res = await request('PUT', `/internal/uploads/${tampered}`, {
      headers: { 'content-type': 'image/png', 'content-length': png.length },
      body: png,
    });
    expect([res.status, res.json.code]).toEqual([403, 'INVALID_SIGNATURE']);
    const forged = signUploadToken(
      {
        tenantId: tenant,
        uploadId: t.id,
        contentType: 'image/png',
        maxBytes: 1e6,
        expiresAt: new Date(Date.now() + 6e5),
      },
      'another-secret-of-at-least-32-characters',
    );
    const f = await request('PUT', `/internal/uploads/${forged}`, {
      headers: { 'content-type': 'image/png', 'content-length': png.length },
      body: png,
    });
    expect([f.status, f.json.code]).toEqual([403, 'INVALID_SIGNATURE']);
  });

  it('refuses a validly signed URL whose upload does not exist (404)', async () => {
    const token = signUploadToken(
      {
        tenantId: tenant,
        uploadId: randomUUID(),
        contentType: 'image/png',
        maxBytes: 1e6,
        expiresAt: new Date(Date.now() + 6e5),
      },
      SECRET,
    );
    const res = await request('PUT', `/internal/uploads/${token}`, {
      headers: { 'content-type': 'image/png', 'content-length': png.length },
      body: png,
    });
    expect([res.status, res.json.code]).toEqual([404, 'UPLOAD_NOT_FOUND']);
  });
});

describe('createUpload', () => {
  it('refuses other types and sizes over the limit', async () => {
    expect(await codeOf(() => ticket({ contentType: 'image/gif' }))).toBe(ErrorCode.UnsupportedMediaType);
    expect(await codeOf(() => ticket({ byteSize: settings.maxImageBytes + 1 }))).toBe(
      ErrorCode.ImageTooLarge,
    );
    expect(await codeOf(() => ticket({ byteSize: 0 }))).toBe(ErrorCode.InvalidInput);
  });
});

describe('GET /internal/files/<token>', () => {
  it('serves a blob of the tenant with its type and a private cache lifetime', async () => {
    const key = `tenants/${tenant}/edits/${randomUUID()}/source.png`;
    await blobs.put(key, png);
    const token = signFileToken({ tenantId: tenant, key, expiresAt: new Date(clockNow + 600_000) }, SECRET);
    const res = await request('GET', `/internal/files/${token}`);
    expect(res.status).toBe(200);
    expect(res.body.equals(png)).toBe(true);
    expect(res.headers['content-type']).toBe('image/png');
    expect(res.headers['cache-control']).toMatch(/^private, max-age=(599|600)$/);
    const etag = res.headers.etag as string;
    expect(
      (await request('GET', `/internal/files/${token}`, { headers: { 'if-none-match': etag } })).status,
    ).toBe(304);
  });

  it('refuses expired (410) and tampered (403) URLs and answers 404 for a missing blob, never a file', async () => {
    const key = `tenants/${tenant}/edits/${randomUUID()}/source.png`;
    await blobs.put(key, png);
    const token = signFileToken({ tenantId: tenant, key, expiresAt: new Date(clockNow + 1000) }, SECRET);
    clockNow += 2000;
    const expired = await request('GET', `/internal/files/${token}`);
    expect([expired.status, expired.json.code]).toEqual([410, 'URL_EXPIRED']);
    clockNow = Date.now();
    const tampered = token.replace(/\.(.)/, (_m, c: string) => `.${c === 'A' ? 'B' : 'A'}`);
    const bad = await request('GET', `/internal/files/${tampered}`);
    expect([bad.status, bad.json.code]).toEqual([403, 'INVALID_SIGNATURE']);
    expect(bad.body.includes(png.subarray(0, 8))).toBe(false);
    const gone = signFileToken(
      { tenantId: tenant, key: `tenants/${tenant}/nothing.png`, expiresAt: new Date(clockNow + 60_000) },
      SECRET,
    );
    expect((await request('GET', `/internal/files/${gone}`)).json.code).toBe('FILE_NOT_FOUND');
    expect((await request('GET', `/internal/files/..%2F..%2Fetc%2Fpasswd`)).status).toBe(403);
  });
});

describe('createEdit with uploads', () => {
  const base = { targetCaption: 'A photo of a sitting dog.' };
  const create = (tenantId: TenantId, input: Partial<CreateEditInput>) =>
    createEdit.execute(CreateEditCommand.create(tenantId, { ...base, ...input }, limits, () => 5));

  async function uploaded(image = png, purpose: 'SOURCE' | 'GROUND_TRUTH' = 'SOURCE', tenantId = tenant) {
    const t = await ticket({ byteSize: image.length, purpose }, tenantId);
    expect((await put(t, image)).status).toBe(201);
    return t.id;
  }

  it('creates an edit from an upload, copies the image to the edit and uses the upload up', async () => {
    const id = await uploaded();
    const gt = await uploaded(png, 'GROUND_TRUTH');
    const edit = await create(tenant, { sourceUploadId: id, groundTruthUploadId: gt });
    expect((await blobs.get(edit.sourceKey)).equals(png)).toBe(true);
    expect(edit.groundTruthKey).toMatch(
      new RegExp(`^tenants/${tenant}/edits/${edit.id}/ground-truth\\.png$`),
    );
    const row = await db.prisma.upload.findUniqueOrThrow({ where: { id } });
    expect(row).toMatchObject({ status: 'used', usedByEditId: edit.id });
    expect(await blobs.exists(row.blobKey as string)).toBe(false);
    // Used up: a second edit cannot take it.
    const again = await codeOf(() => create(tenant, { sourceUploadId: id }));
    expect(again).toBe(ErrorCode.NotFound);
  });

  it("answers NOT_FOUND for another tenant's upload, an unknown one, an expired or an empty one", async () => {
    const theirs = await uploaded(png, 'SOURCE', other);
    expect(await codeOf(() => create(tenant, { sourceUploadId: theirs }))).toBe(ErrorCode.NotFound);
    expect(await codeOf(() => create(tenant, { sourceUploadId: randomUUID() }))).toBe(ErrorCode.NotFound);
    const empty = await ticket();
    expect(await codeOf(() => create(tenant, { sourceUploadId: empty.id }))).toBe(ErrorCode.NotFound);
    const late = await uploaded();
    clockNow += 901_000;
    expect(await codeOf(() => create(tenant, { sourceUploadId: late }))).toBe(ErrorCode.NotFound);
    // The other tenant's upload is untouched.
    expect((await db.prisma.upload.findUniqueOrThrow({ where: { id: theirs } })).status).toBe('uploaded');
  });

  it('refuses an upload made for the other purpose', async () => {
    const gt = await uploaded(png, 'GROUND_TRUTH');
    expect(await codeOf(() => create(tenant, { sourceUploadId: gt }))).toBe(ErrorCode.InvalidInput);
  });

  it('treats an upload and base64 of the same image as the same request under one idempotency key', async () => {
    const key = `same-${randomUUID()}`;
    const first = await create(tenant, { sourceUploadId: await uploaded(), idempotencyKey: key });
    // The repeat names the same, now used, upload: the first edit, nothing new.
    const repeatUpload = await create(tenant, {
      sourceUploadId: (await db.prisma.upload.findFirstOrThrow({ where: { usedByEditId: first.id } })).id,
      idempotencyKey: key,
    });
    expect(repeatUpload.id).toBe(first.id);
    const repeatBase64 = await create(tenant, { imageBase64: png.toString('base64'), idempotencyKey: key });
    expect(repeatBase64.id).toBe(first.id);
    expect(
      await codeOf(() => create(tenant, { imageBase64: jpeg.toString('base64'), idempotencyKey: key })),
    ).toBe(ErrorCode.Conflict);
    // A fresh upload of the same bytes is the same request too, and is left unused.
    const fresh = await uploaded();
    expect((await create(tenant, { sourceUploadId: fresh, idempotencyKey: key })).id).toBe(first.id);
    expect((await db.prisma.upload.findUniqueOrThrow({ where: { id: fresh } })).status).toBe('uploaded');
  });

  it('gives one of two concurrent edits an upload, never both', async () => {
    const id = await uploaded();
    const results = await Promise.allSettled([
      create(tenant, { sourceUploadId: id }),
      create(tenant, { sourceUploadId: id }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect((rejected?.reason as DomainError).code).toBe(ErrorCode.NotFound);
  });
});

describe('sweeping expired uploads', () => {
  it('removes uploads that expired unused, with their images, and keeps used and live ones', async () => {
    const image = await makeImage(40, 30, 'png');
    const upload = async () => {
      const t = await ticket({ byteSize: image.length });
      expect((await put(t, image)).status).toBe(201);
      return db.prisma.upload.findUniqueOrThrow({ where: { id: t.id } });
    };
    const unused = await upload();
    const pending = await ticket();
    const used = await upload();
    await createEdit.execute(
      CreateEditCommand.create(tenant, { targetCaption: 'A dog.', sourceUploadId: used.id }, limits, () => 1),
    );
    expect(await blobs.exists(unused.blobKey as string)).toBe(true);

    // Not yet expired: nothing of these goes.
    await sweep.execute();
    expect(await db.prisma.upload.count({ where: { id: { in: [unused.id, pending.id, used.id] } } })).toBe(3);

    clockNow += 901_000;
    const live = await upload();
    await sweep.execute();
    const left = await db.prisma.upload.findMany({
      where: { id: { in: [unused.id, pending.id, used.id, live.id] } },
    });
    expect(left.map((u) => u.id).sort()).toEqual([used.id, live.id].sort());
    expect(await blobs.exists(unused.blobKey as string)).toBe(false);
    expect(await blobs.exists(live.blobKey as string)).toBe(true);
  });
});
