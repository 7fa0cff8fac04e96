import { mkdtemp, readdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { ErrorCode } from '@f2f/common';
import type { TenantId } from '@f2f/database';
import { type BlobStore, FilesystemBlobStore } from '@f2f/storage';

import { makeImage, makeImageInspector } from '../../../../../test/support/factories';
import { DEFAULT_EXAMPLES, PAPER_FIGURES_EXAMPLES } from '../../caption/temporal-caption.prompt';
import { InMemoryCaptionExamples } from '../../testing/in-memory-repositories';
import { CaptionExamplesService } from '../caption-examples.service';

const inspector = makeImageInspector();
afterAll(() => inspector.close());
const tenantA = 'tenant-a' as TenantId;
const tenantB = 'tenant-b' as TenantId;

async function setup() {
  const root = await mkdtemp(path.join(os.tmpdir(), 'f2f-examples-'));
  const blobs: BlobStore = new FilesystemBlobStore(root);
  const repository = new InMemoryCaptionExamples();
  const service = new CaptionExamplesService(
    repository,
    blobs,
    { maxExamples: 2, maxImageBytes: 200_000, maxImagePixels: 1_000_000 },
    inspector,
  );
  return { root, repository, service };
}

const example = { targetCaption: 'A red car.', temporalCaption: 'The car slowly turns red.' };

describe('CaptionExamplesService', () => {
  it("uses the built-in examples until the tenant has its own, then only the tenant's (with images made small)", async () => {
    const { service } = await setup();
    expect(await service.exampleSetFor(tenantA)).toEqual({
      name: 'project',
      promptVersion: 'f2f-b1-v2',
      examples: DEFAULT_EXAMPLES,
    });
    const imageBase64 = (await makeImage(800, 600)).toString('base64');
    await service.add(tenantA, { ...example, imageBase64 });
    const set = await service.exampleSetFor(tenantA);
    expect(set.name).toBe('tenant');
    expect(set.examples).toHaveLength(1);
    expect(set.examples[0].image?.mime).toBe('image/jpeg');
    expect((await service.exampleSetFor(tenantB)).name).toBe('project');
  });

  it('uses the paper-figures set, under its own prompt version, when the deployment asks for it', async () => {
    const { repository, root } = await setup();
    const service = new CaptionExamplesService(
      repository,
      new FilesystemBlobStore(root),
      { maxExamples: 2, maxImageBytes: 200_000, maxImagePixels: 1_000_000, builtinSet: 'paper-figures' },
      inspector,
    );
    expect(await service.exampleSetFor(tenantA)).toEqual({
      name: 'paper-figures',
      promptVersion: 'paper-b1-v1',
      examples: PAPER_FIGURES_EXAMPLES,
    });
  });

  it('refuses an example past the limit as a Conflict, leaving no image behind', async () => {
    const { service, root, repository } = await setup();
    await service.add(tenantA, example);
    await service.add(tenantA, example);
    const imageBase64 = (await makeImage(64, 48)).toString('base64');
    await expect(service.add(tenantA, { ...example, imageBase64 })).rejects.toMatchObject({
      code: ErrorCode.Conflict,
    });
    expect(repository.rows).toHaveLength(2);
    const images = await readdir(path.join(root, 'tenants', tenantA, 'caption-examples')).catch(() => []);
    expect(images).toEqual([]);
    // Another tenant has its own limit.
    await expect(service.add(tenantB, example)).resolves.toMatchObject({ tenantId: tenantB });
  });

  it('refuses a temporal caption that is not one plain sentence, before storing anything', async () => {
    const { service, repository } = await setup();
    await expect(
      service.add(tenantA, {
        targetCaption: 'A red car.',
        temporalCaption: 'In this video the car turns red.',
      }),
    ).rejects.toMatchObject({ code: ErrorCode.InvalidCaption });
    expect(repository.rows).toHaveLength(0);
  });

  it("removes only the tenant's own example; another tenant's id is not found", async () => {
    const { service } = await setup();
    const added = await service.add(tenantA, example);
    await expect(service.remove(tenantB, added.id)).rejects.toMatchObject({ code: ErrorCode.NotFound });
    await expect(service.remove(tenantA, added.id)).resolves.toBe(true);
    expect(await service.list(tenantA)).toHaveLength(0);
  });
});
