import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';

import { type Clock, createLogger, ErrorCode } from '@f2f/common';
import { asTenantId } from '@f2f/database';
import { SignedUrls } from '@f2f/platform';
import { type BlobStore, FilesystemBlobStore } from '@f2f/storage';

import { makeImage, makeImageInspector } from '../../../../../test/support/factories';
import { InMemoryUploadsRepository } from '../../testing/in-memory';
import { CreateUploadCommand } from '../create-upload/create-upload.command';
import { CreateUploadUseCase } from '../create-upload/create-upload.use-case';
import { ReceiveUploadUseCase } from '../receive-upload/receive-upload.use-case';
import { SweepUploadsUseCase } from '../sweep-uploads/sweep-uploads.use-case';
import type { UploadSettings } from '../upload-settings';
import type { UploadsRepository } from '../uploads.repository';

const tenant = asTenantId('acme');
const settings: UploadSettings = {
  ttlSeconds: 600,
  maxImageBytes: 1024 * 1024,
  maxImagePixels: 4_000_000,
  secret: 's'.repeat(32),
  sweepIntervalSeconds: 0,
  maxOpenUploadsPerTenant: 2,
};
const inspector = makeImageInspector();
let blobDir: string;
let png: Buffer;

beforeAll(async () => {
  png = await makeImage(40, 30);
});
beforeEach(async () => {
  blobDir = await mkdtemp(path.join(os.tmpdir(), 'f2f-uploads-unit-'));
});
afterEach(() => rm(blobDir, { recursive: true, force: true }));
afterAll(() => inspector.close());

function setUp() {
  let now = new Date('2030-01-02T03:04:05Z');
  const clock: Clock = { now: () => now };
  const uploads = new InMemoryUploadsRepository();
  uploads.tenants.add(tenant);
  const repository = uploads as unknown as UploadsRepository;
  const blobs: BlobStore = new FilesystemBlobStore(blobDir);
  const urls = new SignedUrls({
    secret: settings.secret,
    publicBaseUrl: 'https://f2f.test',
    ttlSeconds: 600,
  });
  const createUpload = new CreateUploadUseCase(repository, urls, settings, clock);
  const receive = new ReceiveUploadUseCase(repository, blobs, settings, clock, inspector);
  const sweep = new SweepUploadsUseCase(repository, blobs, clock, createLogger('test', 'silent'));
  const ticket = (byteSize = png.length, tenantId = tenant) =>
    createUpload.execute(
      CreateUploadCommand.create(tenantId, { contentType: 'image/png', byteSize }, settings.maxImageBytes),
    );
  const put = (url: string, body: Buffer) =>
    receive.execute(
      url.split('/').at(-1)!,
      { 'content-type': 'image/png', 'content-length': String(body.length) },
      Readable.from([body]),
    );
  return { uploads, ticket, put, sweep, later: (ms: number) => (now = new Date(now.getTime() + ms)) };
}

async function storedFiles(): Promise<string[]> {
  return (await readdir(blobDir, { recursive: true, withFileTypes: true }))
    .filter((e) => e.isFile())
    .map((e) => e.name);
}

describe('the upload use cases', () => {
  it('hands out a signed URL per pending upload, up to the tenant’s cap of open uploads', async () => {
    const { uploads, ticket } = setUp();
    const first = await ticket();
    expect(first).toMatchObject({
      method: 'PUT',
      maxBytes: png.length,
      expiresAt: '2030-01-02T03:14:05.000Z',
    });
    expect(first.url).toMatch(/^https:\/\/f2f\.test\/v1\/uploads\/u1\./);
    expect(await uploads.find(tenant, first.id)).toMatchObject({ status: 'pending', purpose: 'source' });
    await ticket();
    await expect(ticket()).rejects.toMatchObject({
      code: ErrorCode.TooManyUploads,
      details: { limit: 2, open: 2 },
    });
    await expect(ticket(100, asTenantId('nobody'))).rejects.toMatchObject({ code: ErrorCode.NotFound });
    expect(uploads.uploads).toHaveLength(2);
  });

  it('takes one checked image per URL, and refuses a body that is not the signed type', async () => {
    const { uploads, ticket, put } = setUp();
    const { id, url } = await ticket();
    const receipt = await put(url, png);
    expect(receipt).toMatchObject({
      id,
      status: 'UPLOADED',
      contentType: 'image/png',
      width: 40,
      height: 30,
      bytes: png.length,
    });
    expect(await uploads.find(tenant, id)).toMatchObject({
      status: 'uploaded',
      sha256: receipt.sha256,
      width: 40,
    });
    await expect(put(url, png)).rejects.toMatchObject({ code: 'UPLOAD_ALREADY_USED' });
    const other = await ticket();
    const notPng = Buffer.alloc(png.length, 7);
    await expect(put(other.url, notPng)).rejects.toMatchObject({ code: 'INVALID_IMAGE' });
    expect(await uploads.find(tenant, other.id)).toMatchObject({ status: 'pending' });
    expect(await storedFiles()).toHaveLength(1);
  });

  it('sweeps expired uploads no edit used, with their images, and keeps the rest', async () => {
    const { uploads, ticket, put, sweep, later } = setUp();
    const uploaded = await ticket();
    await put(uploaded.url, png);
    await ticket(); // never uploaded
    const used = uploads.uploads.find((u) => u.id === uploaded.id)!;
    expect(await sweep.execute()).toBe(0); // nothing has expired yet
    later(settings.ttlSeconds * 1000 + 1);
    // An edit took another upload before it expired: the sweeper leaves it.
    uploads.uploads.push({ ...used, id: 'used-one', status: 'used', blobKey: null });
    expect(await sweep.execute()).toBe(2);
    expect(uploads.uploads.map((u) => u.id)).toEqual(['used-one']);
    expect(await storedFiles()).toEqual([]);
  });
});
