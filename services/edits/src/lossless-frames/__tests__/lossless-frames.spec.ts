import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { createLogger } from '@f2f/common';
import { asTenantId } from '@f2f/database';
import { blobKeys, FilesystemBlobStore } from '@f2f/storage';

import type { Edit } from '../../database';
import { storedEdit, storedFrames } from '../../testing/edit-fixtures';
import { InMemoryEditsRepository } from '../../testing/in-memory';
import { LosslessFrames } from '../lossless-frames';

const PLACES = [0, 1].flatMap((candidate) => [0, 1, 2, 3, 4].map((index) => ({ candidate, index })));

const HOUR = 3_600_000;
const T0 = new Date('2030-01-01T00:00:00Z');

async function setup(overrides: Partial<Edit> = {}, keptForMs = 0) {
  const clock = { at: T0, now: () => clock.at };
  const edits = new InMemoryEditsRepository();
  const blobs = new FilesystemBlobStore(await mkdtemp(path.join(os.tmpdir(), 'f2f-lossless-')));
  const tenantId = asTenantId('acme');
  const edit = await storedEdit(edits, tenantId, overrides);
  const frames = storedFrames(edits, edit, PLACES, 'webp');
  const keyOf = (candidate: number, index: number) =>
    blobKeys.losslessFrame(tenantId, edit.id, candidate, index);
  for (const { candidate, index } of PLACES)
    await blobs.put(keyOf(candidate, index), Buffer.from(`${candidate}/${index}`));
  const remaining = async () => {
    const kept: string[] = [];
    for (const { candidate, index } of PLACES)
      if (await blobs.exists(keyOf(candidate, index))) kept.push(`${candidate}/${index}`);
    return kept;
  };
  const lossless = new LosslessFrames(
    edits,
    blobs,
    createLogger('test', 'silent'),
    { keptForMs, sweepIntervalSeconds: 0 },
    clock,
  );
  const resultKeyOf = (candidate: number, index: number) =>
    blobKeys.resultFrame(tenantId, edit.id, candidate, index);
  return { edits, blobs, clock, tenantId, edit, frames, keyOf, resultKeyOf, remaining, lossless };
}

describe('LosslessFrames', () => {
  it('keeps only the selected frame’s lossless copy once the edit completed, and a repeat deletes nothing more', async () => {
    const t = await setup({ selectedCandidate: 1, selectedFrameIndex: 2 });
    expect(await t.lossless.prune(t.tenantId, t.edit.id)).toBe(9);
    expect(await t.remaining()).toEqual(['1/2']);
    await t.lossless.prune(t.tenantId, t.edit.id);
    expect(await t.remaining()).toEqual(['1/2']);
  });

  it('deletes nothing while the edit runs (metrics and selection still read the copies)', async () => {
    const t = await setup({ status: 'SELECTING', metricsReady: false });
    expect(await t.lossless.prune(t.tenantId, t.edit.id)).toBe(0);
    expect(await t.remaining()).toHaveLength(PLACES.length);
  });

  it('deletes every copy of a failed edit, and of one whose result is the source', async () => {
    const failed = await setup({ status: 'FAILED' });
    await failed.lossless.prune(failed.tenantId, failed.edit.id);
    expect(await failed.remaining()).toEqual([]);
    const noEdit = await setup({ selectedCandidate: null, selectedFrameIndex: null });
    await noEdit.lossless.prune(noEdit.tenantId, noEdit.edit.id);
    expect(await noEdit.remaining()).toEqual([]);
  });

  it('serves the lossless copy as the result while it exists, else the stored frame', async () => {
    const t = await setup({ selectedCandidate: 0, selectedFrameIndex: 3 });
    const frame = t.frames.find((f) => f.candidate === 0 && f.index === 4)!;
    expect(await t.lossless.resultKey(frame)).toBe(t.keyOf(0, 4));
    await t.lossless.prune(t.tenantId, t.edit.id);
    // A frame re-chosen after the edit completed: its copy is gone, the stored (lossy) frame is served.
    expect(await t.lossless.resultKey(frame)).toBe(frame.blobKey);
    const selected = t.frames.find((f) => f.candidate === 0 && f.index === 3)!;
    expect(await t.lossless.resultKey(selected)).toBe(t.keyOf(0, 3));
  });

  it('after a user re-chose, keeps the platform’s choice’s copy too, and only the chosen frame’s result copy', async () => {
    const t = await setup({
      selectedCandidate: 0,
      selectedFrameIndex: 4,
      selectionPolicy: 'user',
      originalCandidate: 1,
      originalFrameIndex: 2,
      originalPolicy: 'vlm',
    });
    for (const [candidate, index] of [
      [0, 1],
      [0, 4],
    ])
      await t.blobs.put(t.resultKeyOf(candidate, index), Buffer.from('png'));
    expect(await t.lossless.prune(t.tenantId, t.edit.id)).toBe(8);
    expect(await t.remaining()).toEqual(['0/4', '1/2']);
    expect(await t.blobs.exists(t.resultKeyOf(0, 1))).toBe(false);
    expect(await t.blobs.exists(t.resultKeyOf(0, 4))).toBe(true);
  });

  it('serves a PNG frame itself, and a result copy when the lossless copy is gone', async () => {
    const t = await setup({ selectedCandidate: 0, selectedFrameIndex: 3 });
    const png = { ...t.frames[0], blobKey: 'k/0/0.png' };
    expect(await t.lossless.resultKey(png)).toBe('k/0/0.png');
    const frame = t.frames.find((f) => f.candidate === 1 && f.index === 1)!;
    await t.blobs.delete(t.keyOf(1, 1));
    await t.blobs.put(t.resultKeyOf(1, 1), Buffer.from('png'));
    expect(await t.lossless.resultKey(frame)).toBe(t.resultKeyOf(1, 1));
  });

  it('keeps every copy of an edit completed less than LOSSLESS_COPIES_KEPT_HOURS ago, then prunes and records it', async () => {
    const t = await setup({ selectedCandidate: 1, selectedFrameIndex: 2, completedAt: T0 }, 24 * HOUR);
    t.clock.at = new Date(T0.getTime() + 23 * HOUR);
    expect(await t.lossless.prune(t.tenantId, t.edit.id)).toBe(0);
    expect(await t.remaining()).toHaveLength(PLACES.length);
    expect((await t.edits.findEdit(t.tenantId, t.edit.id))!.losslessPrunedAt).toBeNull();
    t.clock.at = new Date(T0.getTime() + 25 * HOUR);
    expect(await t.lossless.prune(t.tenantId, t.edit.id)).toBe(9);
    expect(await t.remaining()).toEqual(['1/2']);
    expect((await t.edits.findEdit(t.tenantId, t.edit.id))!.losslessPrunedAt).toEqual(t.clock.at);
  });

  it('prunes a failed edit at once, whatever the window', async () => {
    const t = await setup({ status: 'FAILED', completedAt: T0 }, 24 * HOUR);
    expect(await t.lossless.prune(t.tenantId, t.edit.id)).toBe(PLACES.length);
    expect(await t.remaining()).toEqual([]);
  });

  it('sweeps the edits due, oldest first, in batches, and leaves the others', async () => {
    const t = await setup({ completedAt: new Date(T0.getTime() - 30 * HOUR) }, 24 * HOUR);
    const recent = await storedEdit(t.edits, t.tenantId, { completedAt: new Date(T0.getTime() - HOUR) });
    const failed = await storedEdit(t.edits, t.tenantId, { status: 'FAILED', completedAt: T0 });
    const done = await storedEdit(t.edits, t.tenantId, {
      completedAt: new Date(T0.getTime() - 48 * HOUR),
      losslessPrunedAt: new Date(T0.getTime() - 24 * HOUR),
    });
    const running = await storedEdit(t.edits, t.tenantId, { status: 'GENERATING', completedAt: null });
    const pruned = async (id: string) => (await t.edits.findEdit(t.tenantId, id))!.losslessPrunedAt;

    expect(await t.lossless.sweep(1)).toBe(2);
    expect(await t.remaining()).toEqual(['0/3']);
    expect(await pruned(t.edit.id)).toEqual(T0);
    expect(await pruned(failed.id)).toEqual(T0);
    expect(await pruned(done.id)).toEqual(new Date(T0.getTime() - 24 * HOUR));
    expect([await pruned(recent.id), await pruned(running.id)]).toEqual([null, null]);
    // Once its window passed, the recent one is due; nothing else is swept twice.
    t.clock.at = new Date(T0.getTime() + 24 * HOUR);
    expect(await t.lossless.sweep()).toBe(1);
    expect(await pruned(recent.id)).toEqual(t.clock.at);
  });
});
