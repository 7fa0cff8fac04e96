import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { createLogger } from '@f2f/common';
import type { TenantId } from '@f2f/database';
import { blobKeys, FilesystemBlobStore } from '@f2f/storage';

import { createDatabase, type PrismaClient as ServiceClient } from '../../database';
import { createTestDatabase, type TestDatabase } from '../../../../../test/support/database';
import { makeEdit, makeFrames, makeTenant } from '../../__tests__/factories';
import { PrismaEditsRepository } from '../../persistence/edits.repository';
import { LosslessFrames } from '../lossless-frames';

const HOUR = 3_600_000;
const NOW = new Date('2030-01-02T00:00:00Z');
const ago = (hours: number) => new Date(NOW.getTime() - hours * HOUR);

let db: TestDatabase<ServiceClient>;
let tenant: TenantId;

beforeAll(async () => {
  db = await createTestDatabase('lossless_sweep', createDatabase);
  tenant = await makeTenant(db.prisma, 'a');
});
afterAll(() => db.drop());

describe('the sweep of lossless copies, on Postgres', () => {
  it('prunes the final edits due (past the window, or failed), records it, and leaves the rest', async () => {
    const blobs = new FilesystemBlobStore(await mkdtemp(path.join(os.tmpdir(), 'f2f-sweep-')));
    const lossless = new LosslessFrames(
      new PrismaEditsRepository(db.prisma),
      blobs,
      createLogger('test', 'silent'),
      { keptForMs: 24 * HOUR, sweepIntervalSeconds: 0 },
      { now: () => NOW },
    );
    const other = await makeTenant(db.prisma, 'b');
    const edits = {
      old: await makeEdit(db.prisma, tenant, { completedAt: ago(30) }),
      recent: await makeEdit(db.prisma, tenant, { completedAt: ago(2) }),
      failed: await makeEdit(db.prisma, other, { status: 'FAILED', completedAt: ago(1) }),
      pruned: await makeEdit(db.prisma, tenant, { completedAt: ago(50), losslessPrunedAt: ago(26) }),
      running: await makeEdit(db.prisma, tenant, { status: 'GENERATING', completedAt: null }),
    };
    const copies = async (edit: { id: string; tenantId: string }) => {
      const kept: number[] = [];
      for (let index = 0; index < 49; index++)
        if (await blobs.exists(blobKeys.losslessFrame(edit.tenantId, edit.id, 0, index))) kept.push(index);
      return kept;
    };
    for (const edit of Object.values(edits)) {
      await makeFrames(
        db.prisma,
        edit,
        Array.from({ length: 49 }, (_, index) => ({ index })),
      );
      for (let index = 0; index < 49; index++)
        await blobs.put(blobKeys.losslessFrame(edit.tenantId, edit.id, 0, index), Buffer.from('png'));
    }

    expect(await lossless.sweep(1)).toBe(2);
    expect(await copies(edits.old)).toEqual([12]);
    expect(await copies(edits.failed)).toEqual([]);
    for (const edit of [edits.recent, edits.pruned, edits.running])
      expect(await copies(edit)).toHaveLength(49);
    const prunedAt = async (id: string) =>
      (await db.prisma.edit.findUniqueOrThrow({ where: { id } })).losslessPrunedAt;
    expect(await prunedAt(edits.old.id)).toEqual(NOW);
    expect(await prunedAt(edits.failed.id)).toEqual(NOW);
    expect(await prunedAt(edits.pruned.id)).toEqual(ago(26));
    expect([await prunedAt(edits.recent.id), await prunedAt(edits.running.id)]).toEqual([null, null]);
    expect(await lossless.sweep()).toBe(0);
  });
});
