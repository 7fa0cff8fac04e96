import { createDatabase, type PrismaClient as ServiceClient } from '../../database';
import { randomUUID } from 'node:crypto';

import type { TenantId } from '@f2f/database';

import { createTestDatabase, type TestDatabase } from '../../../../../test/support/database';
import { makeEdit, makeTenant } from '../../__tests__/factories';
import { PrismaFramesRepository } from '../frames.repository';

let db: TestDatabase<ServiceClient>;
let tenant: TenantId;
const repository = new PrismaFramesRepository();

beforeAll(async () => {
  db = await createTestDatabase('frames_repository', createDatabase);
  tenant = await makeTenant(db.prisma);
});
afterAll(() => db.drop());

const frame = (candidate: number, index: number, bytes = 100 + index) => ({
  candidate,
  index,
  frameId: randomUUID(),
  blobKey: `k/${candidate}/${index}.png`,
  rawBlobKey: `k/${candidate}/${index}.raw.png`,
  seed: 7 + candidate,
  width: 64,
  height: 48,
  bytes,
  sha256: `${index}`.padStart(64, 'e'),
});

describe('PrismaFramesRepository', () => {
  it('upserts an event’s frames in one statement: one row per place, the first id, the latest details', async () => {
    const edit = await makeEdit(db.prisma, tenant);
    const first = [frame(0, 0), frame(0, 1), frame(1, 0)];
    await db.prisma.$transaction((tx) => repository.record(tx, tenant, edit.id, first));
    const again = [{ ...frame(0, 1, 999), frameId: randomUUID() }, frame(0, 2)];
    await db.prisma.$transaction((tx) => repository.record(tx, tenant, edit.id, again));
    const rows = await db.prisma.frame.findMany({
      where: { editId: edit.id },
      orderBy: [{ candidate: 'asc' }, { index: 'asc' }],
    });
    expect(rows.map((r) => [r.candidate, r.index, r.id, r.bytes, r.tenantId])).toEqual([
      [0, 0, first[0].frameId, 100, tenant],
      [0, 1, first[1].frameId, 999, tenant],
      [0, 2, again[1].frameId, 102, tenant],
      [1, 0, first[2].frameId, 100, tenant],
    ]);
    expect(rows[3]).toMatchObject({ seed: 8, rawBlobKey: 'k/1/0.raw.png', width: 64, height: 48 });
  });

  it('upserts every frame’s metrics, nulls included, keyed by the frame’s place', async () => {
    const edit = await makeEdit(db.prisma, tenant);
    const m = (index: number, ssim: number, lpips: number | null) => ({
      candidate: 0,
      index,
      ssim,
      psnr: 20 + index,
      lpips,
      clipI: null,
      clipScore: 0.25,
      clipCosine: 0.1,
    });
    await db.prisma.$transaction((tx) =>
      repository.recordMetrics(tx, tenant, edit.id, [m(0, 0.9, null), m(1, 0.8, 0.1)]),
    );
    await db.prisma.$transaction((tx) => repository.recordMetrics(tx, tenant, edit.id, [m(1, 0.7, 0.2)]));
    const rows = await db.prisma.editFrameMetric.findMany({
      where: { editId: edit.id },
      orderBy: { index: 'asc' },
    });
    expect(
      rows.map((r) => [r.index, r.ssim, r.psnr, r.lpips, r.clipI, r.clipScore, r.clipCosine, r.tenantId]),
    ).toEqual([
      [0, 0.9, 20, null, null, 0.25, 0.1, tenant],
      [1, 0.7, 21, 0.2, null, 0.25, 0.1, tenant],
    ]);
  });
});
