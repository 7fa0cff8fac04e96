import { createDatabase, type PrismaClient as ServiceClient } from '../../database';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { DomainError, ErrorCode } from '@f2f/common';
import type { TenantId } from '@f2f/database';
import type { ImageInspector } from '@f2f/imaging';
import { FilesystemBlobStore } from '@f2f/storage';
import { Piscina } from 'piscina';
import sharp from 'sharp';

import { createTestDatabase, type TestDatabase } from '../../../../../test/support/database';
import { makeImage, makeImageInspector, makePixelBombPng } from '../../../../../test/support/factories';
import { billionLaughsSvg, withBadIdatCrc, zeroPng } from '../../../../../test/support/hostile-images';
import { makeTenant } from '../../__tests__/factories';
import { prismaRepositories } from '../../testing/prisma-repositories';
import { UploadsRepository } from '../../uploads/uploads.repository';
import { CreateEditCommand, type CreateEditInput } from '../create-edit.command';
import { CreateEditUseCase, type EditLimits } from '../create-edit.use-case';

/** createEdit with hostile input, on a real Postgres: each is refused with its code, nothing is kept. */
const limits: EditLimits = {
  maxImageBytes: 8 * 1024 * 1024,
  maxImagePixels: 16_000_000,
  maxCaptionLength: 500,
  defaultModel: 'preview',
  servedModels: ['preview', 'cogvideox-5b-i2v'],
  maxUnfinishedEdits: 1000,
};

let db: TestDatabase<ServiceClient>;
let blobDir: string;
let tenant: TenantId;
let png: Buffer;
const inspectors: ImageInspector[] = [];

function useCaseWith(inspector: ImageInspector): CreateEditUseCase {
  inspectors.push(inspector);
  const repos = prismaRepositories(db.prisma);
  return new CreateEditUseCase(
    repos.transactions,
    new FilesystemBlobStore(blobDir),
    limits,
    repos.outbox,
    repos.edits,
    repos.history,
    new UploadsRepository(db.prisma),
    inspector,
  );
}
let useCase: CreateEditUseCase;

beforeAll(async () => {
  db = await createTestDatabase('create-edit-hostile', createDatabase);
  blobDir = await mkdtemp(path.join(os.tmpdir(), 'f2f-hostile-'));
  useCase = useCaseWith(makeImageInspector());
  tenant = await makeTenant(db.prisma, 'a');
  png = await makeImage(64, 48);
});
afterAll(async () => {
  await Promise.all(inspectors.map((i) => i.close()));
  await db.drop();
});

async function create(input: Partial<CreateEditInput>, on = useCase) {
  const command = CreateEditCommand.create(
    tenant,
    { imageBase64: png.toString('base64'), targetCaption: 'A photo of a sitting dog.', ...input },
    limits,
    () => 1,
  );
  return on.execute(command);
}

async function refusal(work: () => Promise<unknown>): Promise<DomainError> {
  const error = await work().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DomainError);
  return error as DomainError;
}

/** Nothing of a refused request is kept: no edit, no history, no event, no blob. */
async function expectNothingStored(): Promise<void> {
  expect(await db.prisma.edit.count({ where: { tenantId: tenant } })).toBe(0);
  expect(await db.prisma.editEvent.count({ where: { tenantId: tenant } })).toBe(0);
  expect(await db.prisma.outboxEvent.count()).toBe(0);
  expect(await readdir(blobDir, { recursive: true }).then((f) => f.filter((n) => /\.\w+$/.test(n)))).toEqual(
    [],
  );
}

describe('createEdit with hostile input', () => {
  it('refuses an inline SVG with nested entities (billion laughs) at once, from its first bytes', async () => {
    const run = jest.spyOn(Piscina.prototype, 'run');
    const svg = billionLaughsSvg();
    const started = performance.now();
    const error = await refusal(() => create({ imageBase64: svg.toString('base64') }));
    // No decoder saw it (librsvg would expand the entities for minutes, growing to gigabytes).
    expect(run).not.toHaveBeenCalled();
    run.mockRestore();
    expect(performance.now() - started).toBeLessThan(2000);
    expect(error).toMatchObject({ code: ErrorCode.InvalidImage, details: { reason: 'format' } });
    await expectNothingStored();
  });

  it('refuses an SVG sent as a data:image/png URL, and a GIF', async () => {
    const disguised = `data:image/png;base64,${billionLaughsSvg().toString('base64')}`;
    expect((await refusal(() => create({ imageBase64: disguised }))).code).toBe(ErrorCode.InvalidImage);
    const gif = await sharp(png).gif().toBuffer();
    expect((await refusal(() => create({ imageBase64: gif.toString('base64') }))).code).toBe(
      ErrorCode.InvalidImage,
    );
    await expectNothingStored();
  });

  it('refuses a PNG with a bad CRC and a truncated JPEG as INVALID_IMAGE (not INTERNAL later)', async () => {
    const bad = withBadIdatCrc(png);
    expect((await refusal(() => create({ imageBase64: bad.toString('base64') }))).code).toBe(
      ErrorCode.InvalidImage,
    );
    const jpeg = await makeImage(64, 48, 'jpeg');
    const truncated = jpeg.subarray(0, Math.floor(jpeg.length * 0.6));
    expect((await refusal(() => create({ groundTruthBase64: truncated.toString('base64') }))).code).toBe(
      ErrorCode.InvalidImage,
    );
    await expectNothingStored();
  });

  it('refuses decompression bombs: a lying header and a real 36 Mpx PNG of ~40 KB', async () => {
    const liar = await refusal(() => create({ imageBase64: makePixelBombPng().toString('base64') }));
    expect(liar.code).toBe(ErrorCode.ImageTooLarge);
    const bomb = zeroPng(6000, 6000);
    const real = await refusal(() => create({ imageBase64: bomb.toString('base64') }));
    expect(real).toMatchObject({ code: ErrorCode.ImageTooLarge, details: { width: 6000, height: 6000 } });
    await expectNothingStored();
  });

  it('refuses an image whose decode outlasts the time limit, and keeps answering', async () => {
    const hasty = useCaseWith(makeImageInspector({ timeoutMs: 20 }));
    const noise = await sharp(randomBytes(1500 * 1500 * 3), {
      raw: { width: 1500, height: 1500, channels: 3 },
    })
      .png({ compressionLevel: 1 })
      .toBuffer();
    let ticks = 0;
    const timer = setInterval(() => ticks++, 2);
    const error = await refusal(() => create({ imageBase64: noise.toString('base64') }, hasty));
    clearInterval(timer);
    expect(error).toMatchObject({ code: ErrorCode.InvalidImage, details: { reason: 'timeout' } });
    expect(ticks).toBeGreaterThan(0);
    await expectNothingStored();
    // The service (another inspector, as after a restart of the thread) still creates edits.
    const edit = await create({});
    expect(edit).toMatchObject({ sourceWidth: 64, sourceHeight: 48 });
    await db.prisma.outboxEvent.deleteMany();
    await db.prisma.editEvent.deleteMany();
    await db.prisma.edit.deleteMany();
    await rm(path.join(blobDir, 'tenants'), { recursive: true, force: true });
  });

  it.each([
    ['a lone surrogate', 'A photo of a \ud83d dog.', /lone UTF-16 surrogate/],
    ['a NUL character', 'A photo of a\u0000 dog.', /NUL character|control characters/],
  ])('refuses a caption with %s as INVALID_CAPTION', async (_, targetCaption, message) => {
    const error = await refusal(() => create({ targetCaption }));
    expect(error.code).toBe(ErrorCode.InvalidCaption);
    expect(error.message).toMatch(message);
    await expectNothingStored();
  });

  it('refuses an options.model the pool does not serve, naming the served ones', async () => {
    const error = await refusal(() => create({ options: { model: 'cogvideox-99b' } }));
    expect(error).toMatchObject({
      code: ErrorCode.InvalidInput,
      details: { servedModels: ['preview', 'cogvideox-5b-i2v'] },
    });
    expect(error.message).toMatch(/"preview", "cogvideox-5b-i2v"/);
    await expectNothingStored();
    const served = await create({ options: { model: 'cogvideox-5b-i2v' } });
    expect(served.model).toBe('cogvideox-5b-i2v');
  });
});
