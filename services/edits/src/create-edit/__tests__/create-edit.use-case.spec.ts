import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { ErrorCode } from '@f2f/common';
import { Topic } from '@f2f/contracts';
import { asTenantId, type TenantId } from '@f2f/database';
import { type BlobStore, FilesystemBlobStore } from '@f2f/storage';

import { makeImage, makeImageInspector } from '../../../../../test/support/factories';
import { storedEdit } from '../../testing/edit-fixtures';
import {
  InMemoryEditHistory,
  InMemoryEditsRepository,
  InMemoryOutbox,
  InMemoryTransactions,
  InMemoryUploadsRepository,
} from '../../testing/in-memory';
import type { UploadsRepository } from '../../uploads/uploads.repository';
import { CreateEditCommand, type CreateEditInput } from '../create-edit.command';
import { CreateEditUseCase, type EditLimits } from '../create-edit.use-case';

const limits: EditLimits = {
  maxImageBytes: 2 * 1024 * 1024,
  maxImagePixels: 40_000_000,
  maxCaptionLength: 500,
  defaultModel: 'preview',
  servedModels: ['preview'],
  maxUnfinishedEdits: 2,
};
const tenant = asTenantId('acme');
const now = new Date('2030-01-02T03:04:05Z');
const inspector = makeImageInspector();
let image: Buffer;
let blobDir: string;

beforeAll(async () => {
  image = await makeImage(64, 48);
});
beforeEach(async () => {
  blobDir = await mkdtemp(path.join(os.tmpdir(), 'f2f-create-unit-'));
});
afterEach(() => rm(blobDir, { recursive: true, force: true }));
afterAll(() => inspector.close());

function setUp() {
  const history = new InMemoryEditHistory();
  const edits = new InMemoryEditsRepository(history);
  edits.tenants.add(tenant);
  const outbox = new InMemoryOutbox();
  const uploads = new InMemoryUploadsRepository();
  const blobs: BlobStore = new FilesystemBlobStore(blobDir);
  const useCase = new CreateEditUseCase(
    new InMemoryTransactions(),
    blobs,
    limits,
    outbox,
    edits,
    history,
    uploads as unknown as UploadsRepository,
    inspector,
    { now: () => now },
  );
  let seed = 0;
  const create = (input: Partial<CreateEditInput> = {}, tenantId: TenantId = tenant) =>
    useCase.execute(
      CreateEditCommand.create(
        tenantId,
        { imageBase64: image.toString('base64'), targetCaption: 'A photo of a sitting dog.', ...input },
        limits,
        () => ++seed,
      ),
    );
  return { history, edits, outbox, uploads, blobs, create };
}

async function storedFiles(): Promise<string[]> {
  return (await readdir(blobDir, { recursive: true, withFileTypes: true }))
    .filter((e) => e.isFile())
    .map((e) => path.relative(blobDir, path.join(e.parentPath, e.name)));
}

describe('CreateEditUseCase', () => {
  it('stores the image and records the edit, its first history entry and edit.requested together', async () => {
    const { history, outbox, create } = setUp();
    const edit = await create({ options: { steps: 7, seed: 5 } });
    expect(edit).toMatchObject({
      tenantId: tenant,
      status: 'SUBMITTED',
      sourceWidth: 64,
      sourceHeight: 48,
      sourceMime: 'image/png',
      steps: 7,
      progressTotal: 7,
      seed: 5,
      historySeq: 1,
    });
    expect(await storedFiles()).toEqual([edit.sourceKey]);
    expect(outbox.events.map((e) => [e.type, e.editId])).toEqual([[Topic.EditRequested, edit.id]]);
    const requested = outbox.events[0];
    expect(requested.payload).toMatchObject({
      sourceKey: edit.sourceKey,
      sourceWidth: 64,
      targetCaption: 'A photo of a sitting dog.',
    });
    expect(history.of(tenant, edit.id)).toEqual([
      expect.objectContaining({
        seq: 1,
        type: Topic.EditRequested,
        key: Topic.EditRequested,
        eventId: requested.eventId,
        payload: requested.payload,
        announcement: {
          status: { before: null, after: 'SUBMITTED' },
          cause: Topic.EditRequested,
          causeEvent: requested,
        },
      }),
    ]);
  });

  it('answers a repeat of an idempotent request with the first edit, and refuses the key for another request', async () => {
    const { edits, outbox, create } = setUp();
    const first = await create({ idempotencyKey: 'req-1', options: { seed: 3 } });
    const again = await create({ idempotencyKey: 'req-1', options: { seed: 3 } });
    expect(again.id).toBe(first.id);
    await expect(
      create({ idempotencyKey: 'req-1', targetCaption: 'A photo of a cat.', options: { seed: 3 } }),
    ).rejects.toMatchObject({ code: ErrorCode.Conflict, details: { editId: first.id } });
    expect(edits.edits).toHaveLength(1);
    expect(outbox.events).toHaveLength(1);
    expect(await storedFiles()).toEqual([first.sourceKey]);
  });

  it('refuses TOO_MANY_EDITS at the tenant’s cap of unfinished edits, storing nothing', async () => {
    const { edits, outbox, create } = setUp();
    await storedEdit(edits, tenant, { status: 'GENERATING' });
    await storedEdit(edits, tenant, { status: 'SUBMITTED' });
    await storedEdit(edits, tenant); // completed: does not count
    await expect(create()).rejects.toMatchObject({ code: ErrorCode.TooManyEdits, details: { limit: 2 } });
    expect(outbox.events).toEqual([]);
    expect(await storedFiles()).toEqual([]);
  });

  it('refuses an unknown tenant (NOT_FOUND) and removes the image it had stored', async () => {
    const { outbox, create } = setUp();
    await expect(create({}, asTenantId('nobody'))).rejects.toMatchObject({ code: ErrorCode.NotFound });
    expect(outbox.events).toEqual([]);
    expect(await storedFiles()).toEqual([]);
  });

  it('takes the image of an upload once, and removes the uploaded object', async () => {
    const { uploads, blobs, create } = setUp();
    uploads.tenants.add(tenant);
    const id = randomUUID();
    const blobKey = `tenants/${tenant}/uploads/${id}.png`;
    const stored = await blobs.put(blobKey, image, 'image/png');
    await uploads.createUnderCap(
      tenant,
      {
        id,
        purpose: 'source',
        contentType: 'image/png',
        maxBytes: 10_000,
        expiresAt: new Date(now.getTime() + 60_000),
      },
      10,
      now,
    );
    await uploads.markUploaded(
      tenant,
      id,
      { blobKey, bytes: stored.bytes, sha256: stored.sha256, width: 64, height: 48 },
      now,
    );
    const edit = await create({ imageBase64: null, sourceUploadId: id });
    expect(await uploads.find(tenant, id)).toMatchObject({
      status: 'used',
      usedByEditId: edit.id,
      usedAt: now,
    });
    expect(await storedFiles()).toEqual([edit.sourceKey]);
    await expect(create({ imageBase64: null, sourceUploadId: id })).rejects.toMatchObject({
      code: ErrorCode.NotFound,
      details: { uploadId: id, reason: 'used' },
    });
  });
});
