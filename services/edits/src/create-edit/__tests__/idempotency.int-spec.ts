import { createDatabase, type PrismaClient as ServiceClient } from '../../database';
import { mkdtemp, readdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { DomainError, ErrorCode } from '@f2f/common';
import type { TenantId } from '@f2f/database';
import { FilesystemBlobStore } from '@f2f/storage';

import { createTestDatabase, type TestDatabase } from '../../../../../test/support/database';
import { makeImage, makeImageInspector } from '../../../../../test/support/factories';
import { makeTenant } from '../../__tests__/factories';
import { prismaRepositories } from '../../testing/prisma-repositories';
import { CreateEditCommand, type CreateEditInput } from '../create-edit.command';
import { UploadsRepository } from '../../uploads/uploads.repository';
import { CreateEditUseCase, type EditLimits } from '../create-edit.use-case';

const limits: EditLimits = {
  maxImageBytes: 2 * 1024 * 1024,
  maxImagePixels: 40_000_000,
  maxCaptionLength: 500,
  defaultModel: 'preview',
  servedModels: ['preview'],
  maxUnfinishedEdits: 1000,
};

let db: TestDatabase<ServiceClient>;
let blobDir: string;
let useCase: CreateEditUseCase;
const inspector = makeImageInspector();
let tenant: TenantId;
let other: TenantId;
let image: Buffer;
let seedCounter = 0;

beforeAll(async () => {
  db = await createTestDatabase('idempotency', createDatabase);
  blobDir = await mkdtemp(path.join(os.tmpdir(), 'f2f-idem-'));
  const repos = prismaRepositories(db.prisma);
  useCase = new CreateEditUseCase(
    repos.transactions,
    new FilesystemBlobStore(blobDir),
    limits,
    repos.outbox,
    repos.edits,
    repos.history,
    new UploadsRepository(db.prisma),
    inspector,
  );
  tenant = await makeTenant(db.prisma, 'a');
  other = await makeTenant(db.prisma, 'b');
  image = await makeImage(64, 48);
});
afterAll(async () => {
  await inspector.close();
  await db.drop();
});

/** Seeds the client does not give are random, and differ for every call. */
const randomSeed = () => ++seedCounter;

function create(tenantId: TenantId, input: Partial<CreateEditInput>) {
  return useCase.execute(
    CreateEditCommand.create(
      tenantId,
      { imageBase64: image.toString('base64'), targetCaption: 'A photo of a sitting dog.', ...input },
      limits,
      randomSeed,
    ),
  );
}

async function storedFor(editIds: string[]) {
  return {
    edits: await db.prisma.edit.count({ where: { id: { in: editIds } } }),
    outbox: await db.prisma.outboxEvent.count({ where: { key: { in: editIds } } }),
    history: await db.prisma.editEvent.count({ where: { editId: { in: editIds } } }),
  };
}

async function codeOf(work: () => unknown): Promise<string> {
  try {
    await work();
  } catch (err) {
    return err instanceof DomainError ? err.code : String(err);
  }
  return 'no error';
}

describe('createEdit with an idempotency key', () => {
  it('returns the first edit for a repeat and stores and publishes nothing more', async () => {
    const first = await create(tenant, { idempotencyKey: 'order-1' });
    // No seed given: each call draws another, yet it is the same request.
    const again = await create(tenant, {
      idempotencyKey: 'order-1',
      targetCaption: '  A photo of a  sitting dog. ',
    });
    expect(again.id).toBe(first.id);
    expect(await db.prisma.edit.count({ where: { tenantId: tenant, idempotencyKey: 'order-1' } })).toBe(1);
    expect(await storedFor([first.id])).toEqual({ edits: 1, outbox: 2, history: 1 });
    // Without a key every request is a new edit.
    const a = await create(tenant, {});
    const b = await create(tenant, {});
    expect(a.id).not.toBe(b.id);
  });

  it('makes one edit of concurrent repeats and leaves no stray blobs', async () => {
    const results = await Promise.all(
      Array.from({ length: 8 }, () => create(tenant, { idempotencyKey: 'burst', options: { seed: 7 } })),
    );
    const ids = new Set(results.map((e) => e.id));
    expect(ids.size).toBe(1);
    const [id] = ids;
    expect(await db.prisma.edit.count({ where: { tenantId: tenant, idempotencyKey: 'burst' } })).toBe(1);
    expect(await storedFor([id])).toEqual({ edits: 1, outbox: 2, history: 1 });
    // The losers removed the source they had stored: only recorded edits have blobs.
    const recorded = new Set(
      (await db.prisma.edit.findMany({ where: { tenantId: tenant } })).map((e) => e.id),
    );
    const files = (await readdir(path.join(blobDir, 'tenants', tenant), { recursive: true }))
      .map(String)
      .filter((f) => /\.(png|jpg|webp)$/.test(f));
    expect(files.length).toBeGreaterThan(0);
    expect(files.filter((f) => !recorded.has(f.split(path.sep)[1]))).toEqual([]);
  });

  it('refuses the same key with another request with CONFLICT, naming the first edit', async () => {
    const first = await create(tenant, { idempotencyKey: 'order-2', options: { steps: 30 } });
    const cases: Partial<CreateEditInput>[] = [
      { targetCaption: 'A photo of a running dog.', options: { steps: 30 } },
      { options: { steps: 31 } },
      { options: { steps: 30, seed: 5 } },
      { imageBase64: (await makeImage(64, 49)).toString('base64'), options: { steps: 30 } },
    ];
    for (const input of cases) {
      const err = await create(tenant, { idempotencyKey: 'order-2', ...input }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DomainError);
      expect((err as DomainError).code).toBe(ErrorCode.Conflict);
      expect((err as DomainError).message).toContain(first.id);
    }
    expect(await db.prisma.edit.count({ where: { tenantId: tenant, idempotencyKey: 'order-2' } })).toBe(1);
  });

  it('scopes keys to the tenant', async () => {
    const mine = await create(tenant, { idempotencyKey: 'shared-key' });
    const theirs = await create(other, { idempotencyKey: 'shared-key' });
    expect(theirs.id).not.toBe(mine.id);
    expect(theirs.tenantId).toBe(other);
  });

  it('validates the key', async () => {
    for (const key of ['', 'has space', 'x'.repeat(201), 'tab\there', 'é']) {
      expect(await codeOf(() => create(tenant, { idempotencyKey: key }))).toBe(ErrorCode.InvalidInput);
    }
    expect((await create(tenant, { idempotencyKey: 'x'.repeat(200) })).idempotencyKey).toBe('x'.repeat(200));
  });
});
