import { createHash, createHmac, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import sharp from 'sharp';

import { type IssuedApiKey, REPO_ROOT, type RunningPlatform, startPlatform } from '@f2f/launcher';
import { signFileToken, signUploadToken } from '@f2f/platform';

import type { PrismaClient as EditsClient } from '../../services/edits/src/database';
import { editsDatabase } from '../support/service-databases';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { waitForEditStatus } from '../support/edit-status';
import { testInfrastructure } from '../support/env';
import { makeImage, makePixelBombPng } from '../support/factories';
import { FakeOpenAiServer } from '../support/fake-openai';

jest.setTimeout(300_000);

interface GraphqlResponse<T> {
  data?: T;
  errors?: { message: string; extensions?: { code?: string; [key: string]: unknown } }[];
}

interface Ticket {
  id: string;
  url: string;
  method: string;
  headers: { name: string; value: string }[];
  expiresAt: string;
  maxBytes: number;
}

let db: TestDatabase<EditsClient>;
let platform: RunningPlatform;
let blobDir: string;
let a: IssuedApiKey;
let b: IssuedApiKey;
const vlm = new FakeOpenAiServer();

async function gql<T>(
  key: string,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<GraphqlResponse<T>> {
  const res = await fetch(platform.gatewayUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ query, variables }),
  });
  return (await res.json()) as GraphqlResponse<T>;
}

const codes = (res: GraphqlResponse<unknown>) => (res.errors ?? []).map((e) => e.extensions?.code);

async function createUpload(key: string, image: Buffer, contentType = 'image/png', purpose = 'SOURCE') {
  const res = await gql<{ createUpload: Ticket }>(
    key,
    `mutation($i: CreateUploadInput!) { createUpload(input: $i) { id url method headers { name value } expiresAt maxBytes } }`,
    { i: { contentType, byteSize: image.length, purpose } },
  );
  expect(res.errors).toBeUndefined();
  return res.data!.createUpload;
}

/** PUTs the image to a ticket's URL as a client would (fetch, the headers the ticket names). */
async function put(ticket: Ticket, body: Buffer, headers: Record<string, string> = {}) {
  const res = await fetch(ticket.url, {
    method: ticket.method,
    headers: { ...Object.fromEntries(ticket.headers.map((h) => [h.name, h.value])), ...headers },
    body,
  });
  return { status: res.status, json: (await res.json()) as { code?: string; [key: string]: unknown } };
}

async function download(url: string, headers: Record<string, string> = {}) {
  const res = await fetch(url, { headers });
  return { status: res.status, headers: res.headers, body: Buffer.from(await res.arrayBuffer()) };
}

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');
const gatewayOrigin = () => new URL(platform.gatewayUrl).origin;

/** Waits, as the tenant of `key`, for one of `statuses` of an edit. */
const waitForStatus = (key: string, id: string, statuses: string[]) =>
  waitForEditStatus((query, variables) => gql(key, query, variables), id, statuses);

beforeAll(async () => {
  const { kafkaBrokers } = testInfrastructure();
  await vlm.start();
  // Captions as usual; the selection answers frame 1 of the collage (frame 4), so collages exist.
  vlm.setDefault((request) =>
    JSON.stringify(request.body).includes('The selected edit is')
      ? { text: 'The selected edit is:1' }
      : { text: 'The dog gradually lowers its back legs, settling into a seated position.' },
  );
  db = await createTestDatabase('e2e_uploads', editsDatabase);
  blobDir = await mkdtemp(path.join(os.tmpdir(), 'f2f-e2e-uploads-'));
  platform = await startPlatform({
    databaseUrl: db.url,
    kafkaBrokers,
    topicPrefix: `e2eu${randomBytes(4).toString('hex')}.`,
    blobDir,
    logDir: path.join(REPO_ROOT, '.cache', 'test-logs', `e2e-uploads-${Date.now()}`),
    stepDelayMs: 5,
    bootstrapTenant: 'uploads-a',
    env: {
      edits: { MAX_IMAGE_BYTES: String(512 * 1024) },
      captioning: { VLM_BASE_URL: vlm.baseUrl, VLM_MODEL: 'gpt-4o', VLM_TIMEOUT_MS: '5000' },
      'frame-selection': { VLM_BASE_URL: vlm.baseUrl, VLM_MODEL: 'gpt-4o', VLM_TIMEOUT_MS: '5000' },
    },
  });
  a = platform.bootstrap!;
  b = await platform.createTenant('uploads-b');
});

afterAll(async () => {
  await platform?.stop();
  await db?.drop();
  await vlm.stop();
});

describe('images over the API, through the gateway', () => {
  let source: Buffer;
  let editId: string;
  let uploadId: string;

  it('uploads a source to a signed URL and creates an edit from it', async () => {
    source = await makeImage(96, 64, 'png');
    const ticket = await createUpload(a.key, source);
    expect(ticket.url.startsWith(`${gatewayOrigin()}/v1/uploads/`)).toBe(true);
    expect(ticket).toMatchObject({
      method: 'PUT',
      headers: [{ name: 'Content-Type', value: 'image/png' }],
      maxBytes: source.length,
    });
    const res = await put(ticket, source);
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({ id: ticket.id, status: 'UPLOADED', width: 96, height: 64 });
    uploadId = ticket.id;

    // The URL takes one image.
    expect((await put(ticket, source)).status).toBe(409);

    // Another tenant cannot use it: NOT_FOUND, as for an unknown id.
    const theirs = await gql<{ createEdit: { id: string } }>(
      b.key,
      `mutation($i: CreateEditInput!) { createEdit(input: $i) { id } }`,
      { i: { sourceUploadId: uploadId, targetCaption: 'A photo of a sitting dog.' } },
    );
    expect(codes(theirs)).toEqual(['NOT_FOUND']);

    const created = await gql<{ createEdit: { id: string; source: { sha256: string } } }>(
      a.key,
      `mutation($i: CreateEditInput!) { createEdit(input: $i) { id source { sha256 } } }`,
      {
        i: {
          sourceUploadId: uploadId,
          targetCaption: 'A photo of a sitting dog.',
          options: { seed: 3, steps: 4, frames: 9 },
        },
      },
    );
    expect(created.errors).toBeUndefined();
    editId = created.data!.createEdit.id;
    expect(created.data!.createEdit.source.sha256).toBe(sha256(source));

    // Used up: a second edit cannot take it.
    const again = await gql(a.key, `mutation($i: CreateEditInput!) { createEdit(input: $i) { id } }`, {
      i: { sourceUploadId: uploadId, targetCaption: 'A photo of a sitting dog.' },
    });
    expect(codes(again)).toEqual(['NOT_FOUND']);
    // Both forms at once is a bad request.
    const both = await gql(a.key, `mutation($i: CreateEditInput!) { createEdit(input: $i) { id } }`, {
      i: { sourceUploadId: uploadId, imageBase64: source.toString('base64'), targetCaption: 'A dog.' },
    });
    expect(codes(both)).toEqual(['BAD_USER_INPUT']);
  });

  it('serves the frames, the source, the result and the collages at signed URLs that download the blobs', async () => {
    expect(await waitForStatus(a.key, editId, ['COMPLETED', 'FAILED'])).toBe('COMPLETED');
    const res = await gql<{
      edit: {
        sourceUrl: string;
        resultUrl: string;
        noEdit: boolean;
        selectedFrame: { blobKey: string } | null;
        frames: {
          index: number;
          blobKey: string;
          rawBlobKey: string;
          sha256: string;
          url: string;
          rawUrl: string;
        }[];
        selectionDecision: { collageBlobKeys: string[]; collageUrls: string[] } | null;
      };
    }>(
      a.key,
      `query($id: ID!) { edit(id: $id) { sourceUrl resultUrl noEdit selectedFrame { blobKey }
         frames { index blobKey rawBlobKey sha256 url rawUrl }
         selectionDecision { collageBlobKeys collageUrls } } }`,
      { id: editId },
    );
    expect(res.errors).toBeUndefined();
    const edit = res.data!.edit;
    expect(edit.frames).toHaveLength(9);

    for (const frame of edit.frames) {
      expect(frame.url.startsWith(`${gatewayOrigin()}/v1/files/`)).toBe(true);
      const got = await download(frame.url);
      expect(got.status).toBe(200);
      expect(got.headers.get('content-type')).toBe('image/webp');
      expect(got.headers.get('cache-control')).toMatch(/^private, max-age=\d+$/);
      expect(got.body.equals(await readFile(path.join(blobDir, frame.blobKey)))).toBe(true);
      expect(sha256(got.body)).toBe(frame.sha256);
    }
    const raw = await download(edit.frames[4].rawUrl);
    expect(raw.body.equals(await readFile(path.join(blobDir, edit.frames[4].rawBlobKey)))).toBe(true);

    // The source downloads as the very bytes uploaded.
    expect((await download(edit.sourceUrl)).body.equals(source)).toBe(true);
    // The result is the selected frame at full quality: its lossless copy (PNG) of the pixels that
    // were stored as WebP, or the source itself when no frame fulfils the edit.
    const result = await download(edit.resultUrl);
    expect(result.status).toBe(200);
    if (edit.noEdit) {
      expect(result.body.equals(source)).toBe(true);
    } else {
      expect(result.headers.get('content-type')).toBe('image/png');
      const stored = await readFile(path.join(blobDir, edit.selectedFrame!.blobKey));
      const [full, lossy] = await Promise.all([sharp(result.body).metadata(), sharp(stored).metadata()]);
      expect(lossy.format).toBe('webp');
      expect(full).toMatchObject({ format: 'png', width: lossy.width, height: lossy.height });
    }
    // The completed edit keeps every frame's lossless copy (LOSSLESS_COPIES_KEPT_HOURS, 24 by default),
    // so that a frame the user re-chooses meanwhile is a lossless result too.
    const losslessDir = path.join(blobDir, path.dirname(path.dirname(edit.frames[0].blobKey)), 'lossless');
    expect(await readdir(losslessDir)).toHaveLength(9);

    // One collage per candidate, each downloadable.
    expect(edit.selectionDecision!.collageUrls).toHaveLength(edit.selectionDecision!.collageBlobKeys.length);
    expect(edit.selectionDecision!.collageUrls.length).toBeGreaterThan(0);
    const collage = await download(edit.selectionDecision!.collageUrls[0]);
    expect(collage.status).toBe(200);
    expect(
      collage.body.equals(await readFile(path.join(blobDir, edit.selectionDecision!.collageBlobKeys[0]))),
    ).toBe(true);

    // An ETag revalidates without the bytes.
    const etag = (await download(edit.frames[0].url)).headers.get('etag')!;
    expect((await download(edit.frames[0].url, { 'if-none-match': etag })).status).toBe(304);
  });

  it("gives another tenant no URL of the first tenant's frames, and refuses forged, tampered and expired URLs", async () => {
    const theirs = await gql<{ edit: unknown }>(
      b.key,
      `query($id: ID!) { edit(id: $id) { frames { url } } }`,
      {
        id: editId,
      },
    );
    expect(theirs.data?.edit).toBeNull();

    const mine = await gql<{ edit: { frames: { url: string; blobKey: string }[] } }>(
      a.key,
      `query($id: ID!) { edit(id: $id) { frames { url blobKey } } }`,
      { id: editId },
    );
    const { url, blobKey } = mine.data!.edit.frames[0];
    const token = url.slice(url.lastIndexOf('/') + 1);

    // Tampered: one character of the claims changed.
    const at = 8;
    const tampered = token.slice(0, at) + (token[at] === 'A' ? 'B' : 'A') + token.slice(at + 1);
    const bad = await download(`${gatewayOrigin()}/v1/files/${tampered}`);
    expect(bad.status).toBe(403);
    expect(JSON.parse(bad.body.toString())).toMatchObject({ code: 'INVALID_SIGNATURE' });

    // Tenant B's claims on tenant A's key, signed with the real secret: refused for the key prefix.
    const claims = `f1.${Buffer.from(JSON.stringify({ t: b.tenantId, k: blobKey, e: Math.floor(Date.now() / 1000) + 600 })).toString('base64url')}`;
    const crossTenant = `${claims}.${createHmac('sha256', platform.signedUrlSecret).update(claims).digest('base64url')}`;
    const cross = await download(`${gatewayOrigin()}/v1/files/${crossTenant}`);
    expect(cross.status).toBe(403);
    expect(cross.body.toString()).toMatch(/INVALID_SIGNATURE/);

    // Expired (validly signed a moment ago).
    const expired = signFileToken(
      { tenantId: a.tenantId, key: blobKey, expiresAt: new Date(Date.now() - 1000) },
      platform.signedUrlSecret,
    );
    const gone = await download(`${gatewayOrigin()}/v1/files/${expired}`);
    expect(gone.status).toBe(410);
    expect(JSON.parse(gone.body.toString())).toMatchObject({ code: 'URL_EXPIRED' });

    // A path that tries to leave the route never reaches a file.
    const traversal = await download(`${gatewayOrigin()}/v1/files/..%2F..%2Fetc%2Fpasswd`);
    expect([403, 404]).toContain(traversal.status);
    expect(traversal.body.toString()).not.toMatch(/root:/);
  });

  it('refuses bad uploads at the gateway: type, size, lying type, pixel bomb, expired and tampered URLs', async () => {
    const png = await makeImage(64, 48, 'png');
    const jpeg = await makeImage(64, 48, 'jpeg');

    const ticket = await createUpload(a.key, png);
    expect((await put(ticket, png, { 'content-type': 'image/gif' })).status).toBe(415);
    // Content-Length over the declared size.
    const bigger = Buffer.concat([png, Buffer.alloc(100_000)]);
    const big = await put(ticket, bigger);
    expect([big.status, big.json.code]).toEqual([413, 'IMAGE_TOO_LARGE']);
    // JPEG bytes sent as the PNG the URL was made for.
    const lying = await put({ ...ticket }, jpeg.subarray(0, Math.min(jpeg.length, png.length)));
    expect([lying.status, lying.json.code]).toEqual([422, 'INVALID_IMAGE']);
    // The URL still takes the real image.
    expect((await put(ticket, png)).status).toBe(201);

    const bomb = makePixelBombPng(50_000, 50_000);
    const bombRes = await put(await createUpload(a.key, bomb), bomb);
    expect([bombRes.status, bombRes.json.code]).toEqual([413, 'IMAGE_TOO_LARGE']);

    const tooBig = await gql(a.key, `mutation($i: CreateUploadInput!) { createUpload(input: $i) { id } }`, {
      i: { contentType: 'image/png', byteSize: 10 * 1024 * 1024 },
    });
    expect(codes(tooBig)).toEqual(['IMAGE_TOO_LARGE']);
    const gif = await gql(a.key, `mutation($i: CreateUploadInput!) { createUpload(input: $i) { id } }`, {
      i: { contentType: 'image/gif', byteSize: 100 },
    });
    expect(codes(gif)).toEqual(['UNSUPPORTED_MEDIA_TYPE']);

    const fresh = await createUpload(a.key, png);
    const expiredToken = signUploadToken(
      {
        tenantId: a.tenantId,
        uploadId: fresh.id,
        contentType: 'image/png',
        maxBytes: png.length,
        expiresAt: new Date(Date.now() - 1000),
      },
      platform.signedUrlSecret,
    );
    const expired = await put({ ...fresh, url: `${gatewayOrigin()}/v1/uploads/${expiredToken}` }, png);
    expect([expired.status, expired.json.code]).toEqual([410, 'UPLOAD_EXPIRED']);
    const forged = await put({ ...fresh, url: `${fresh.url.slice(0, -4)}AAAA` }, png);
    expect([forged.status, forged.json.code]).toEqual([403, 'INVALID_SIGNATURE']);
  });

  it('keeps the idempotency key working across the upload and base64 forms', async () => {
    const image = await makeImage(80, 60, 'png');
    const key = `uploads-e2e-${randomBytes(4).toString('hex')}`;
    const ticket = await createUpload(a.key, image);
    expect((await put(ticket, image)).status).toBe(201);
    const mutation = `mutation($i: CreateEditInput!) { createEdit(input: $i) { id } }`;
    const options = { seed: 5, steps: 2, frames: 5 };
    const first = await gql<{ createEdit: { id: string } }>(a.key, mutation, {
      i: {
        sourceUploadId: ticket.id,
        targetCaption: 'A photo of a sitting dog.',
        options,
        idempotencyKey: key,
      },
    });
    const repeat = await gql<{ createEdit: { id: string } }>(a.key, mutation, {
      i: {
        imageBase64: image.toString('base64'),
        targetCaption: 'A photo of a sitting dog.',
        options,
        idempotencyKey: key,
      },
    });
    expect(repeat.data!.createEdit.id).toBe(first.data!.createEdit.id);
    await waitForStatus(a.key, first.data!.createEdit.id, ['COMPLETED', 'FAILED']);
  });
});
