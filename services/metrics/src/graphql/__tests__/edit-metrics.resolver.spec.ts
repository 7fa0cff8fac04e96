import { randomUUID } from 'node:crypto';

import type { TenantId } from '@f2f/database';

import type { FrameMetricsRecord } from '../../measurement/frame-metrics.repository';
import { InMemoryFrameMetrics } from '../../testing/in-memory-frame-metrics';
import { EditMetricsResolver } from '../edit-metrics.resolver';
import { FrameMetricsResolver } from '../frame-metrics.resolver';

const tenantA = 'tenant-a' as TenantId;
const tenantB = 'tenant-b' as TenantId;

function row(editId: string, frameIndex: number, over: Partial<FrameMetricsRecord> = {}): FrameMetricsRecord {
  return {
    frameId: randomUUID(),
    tenantId: tenantA,
    editId,
    frameIndex,
    ssim: 0.5 + frameIndex / 10,
    psnr: 20 + frameIndex,
    lpips: 0.1 * frameIndex,
    clipI: null,
    clipScore: 0.75,
    clipCosine: 0.3,
    targetLpips: null,
    targetClipI: null,
    metricModels: 'm1',
    ...over,
  };
}

async function seeded() {
  const repository = new InMemoryFrameMetrics();
  const editId = randomUUID();
  const rows = [row(editId, 0), row(editId, 1), row(editId, 2, { clipI: 0.9 })];
  await repository.saveAll(undefined, rows);
  return { repository, editId, rows, resolver: new EditMetricsResolver(repository) };
}

describe('Edit.metricsSummary', () => {
  it('averages over the frames and shows the frame the edits service selected (from the @requires field)', async () => {
    const { resolver, editId, rows } = await seeded();
    const summary = await resolver.metricsSummary(
      { __typename: 'Edit', id: editId, selectedFrame: { id: rows[2].frameId } },
      tenantA,
    );
    expect(summary!.frameCount).toBe(3);
    expect(summary!.mean.ssim).toBeCloseTo(0.6, 9);
    expect(summary!.mean.psnr).toBeCloseTo(21, 9);
    expect(summary!.mean.lpips).toBeCloseTo(0.1, 9);
    // A learned metric only some frames have has no mean.
    expect(summary!.mean.clipI).toBeNull();
    expect(summary!.mean.models).toBe('m1');
    expect(summary!.selected).toMatchObject({ ssim: rows[2].ssim, clipI: 0.9, models: 'm1' });
  });

  it('has no selected metrics before a selection, nor when no frame fulfils the edit', async () => {
    const { resolver, editId } = await seeded();
    for (const selectedFrame of [undefined, null]) {
      const summary = await resolver.metricsSummary(
        { __typename: 'Edit', id: editId, selectedFrame },
        tenantA,
      );
      expect(summary!.frameCount).toBe(3);
      expect(summary!.selected).toBeNull();
    }
  });

  it("shows another tenant nothing, even given the edit's and frame's ids", async () => {
    const { resolver, editId, rows, repository } = await seeded();
    expect(
      await resolver.metricsSummary(
        { __typename: 'Edit', id: editId, selectedFrame: { id: rows[0].frameId } },
        tenantB,
      ),
    ).toBeNull();
    const frames = new FrameMetricsResolver(repository);
    expect(await frames.metrics({ __typename: 'Frame', id: rows[0].frameId }, tenantB)).toBeNull();
    expect(await frames.metrics({ __typename: 'Frame', id: rows[0].frameId }, tenantA)).toMatchObject({
      ssim: rows[0].ssim,
      models: 'm1',
    });
  });

  it('does not take a frame of another edit as the selected one', async () => {
    const { resolver, editId, repository } = await seeded();
    const other = row(randomUUID(), 0);
    await repository.saveAll(undefined, [other]);
    const summary = await resolver.metricsSummary(
      { __typename: 'Edit', id: editId, selectedFrame: { id: other.frameId } },
      tenantA,
    );
    expect(summary!.selected).toBeNull();
  });
});

describe('Frame.metrics', () => {
  it("loads the frames asked for at once with one query per tenant, each answer its own frame's", async () => {
    const { repository, rows } = await seeded();
    const otherTenant = row(randomUUID(), 0, { tenantId: tenantB });
    await repository.saveAll(undefined, [otherTenant]);
    const frames = new FrameMetricsResolver(repository);
    const ask = (id: string, tenant: TenantId) => frames.metrics({ __typename: 'Frame', id }, tenant);
    const answers = await Promise.all([
      ...rows.map((r) => ask(r.frameId, tenantA)),
      ask(otherTenant.frameId, tenantA),
      ask(otherTenant.frameId, tenantB),
      ask(randomUUID(), tenantA),
    ]);
    expect(answers.slice(0, 3).map((a) => a?.ssim)).toEqual(rows.map((r) => r.ssim));
    expect(answers[3]).toBeNull();
    expect(answers[4]).toMatchObject({ ssim: otherTenant.ssim });
    expect(answers[5]).toBeNull();
    expect(repository.batches).toHaveLength(2);
    expect(repository.batches.flat()).toHaveLength(6);
  });

  it('reads again on the next request (nothing is cached)', async () => {
    const { repository, rows } = await seeded();
    const frames = new FrameMetricsResolver(repository);
    await frames.metrics({ __typename: 'Frame', id: rows[0].frameId }, tenantA);
    repository.rows.delete(rows[0].frameId);
    expect(await frames.metrics({ __typename: 'Frame', id: rows[0].frameId }, tenantA)).toBeNull();
  });
});
