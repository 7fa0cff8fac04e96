import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { createLogger, ErrorCode } from '@f2f/common';
import { Topic } from '@f2f/contracts';
import { asTenantId } from '@f2f/database';
import { blobKeys, FilesystemBlobStore } from '@f2f/storage';
import sharp from 'sharp';

import { storedEdit, storedFrames } from '../../testing/edit-fixtures';
import { InMemoryEditHistory, InMemoryEditsRepository, InMemoryTransactions } from '../../testing/in-memory';
import { LosslessFrames } from '../../lossless-frames/lossless-frames';
import { RechooseFrameCommand } from '../rechoose-frame.command';
import { RechooseFrameUseCase } from '../rechoose-frame.use-case';

const tenant = asTenantId('acme');
const now = new Date('2030-01-02T03:04:05Z');

async function setUp(frameExt = 'png') {
  const history = new InMemoryEditHistory();
  const edits = new InMemoryEditsRepository(history);
  const blobs = new FilesystemBlobStore(await mkdtemp(path.join(os.tmpdir(), 'f2f-rechoose-')));
  const lossless = new LosslessFrames(edits, blobs, createLogger('test', 'silent'));
  const useCase = new RechooseFrameUseCase(new InMemoryTransactions(), edits, history, lossless, {
    now: () => now,
  });
  const edit = await storedEdit(edits, tenant);
  const frames = storedFrames(
    edits,
    edit,
    [
      { candidate: 0, index: 3 },
      { candidate: 1, index: 2 },
    ],
    frameExt,
  );
  const choose = (choice: { frameId?: string; source?: boolean }, actor: string | null, editId = edit.id) =>
    useCase.execute(RechooseFrameCommand.create(tenant, { editId, ...choice }, actor));
  return { history, edits, blobs, lossless, edit, frames, choose };
}

describe('RechooseFrameUseCase', () => {
  it('keeps the user’s frame and who chose it, the platform’s choice once, and records each re-choice', async () => {
    const { history, edit, frames, choose } = await setUp();
    const first = await choose({ frameId: frames[1].id }, 'key-1');
    expect(first).toMatchObject({
      selectedCandidate: 1,
      selectedFrameIndex: 2,
      selectionPolicy: 'user',
      chosenBy: 'key-1',
      chosenAt: now,
      originalCandidate: 0,
      originalFrameIndex: 3,
      originalPolicy: 'vlm',
      originalReason: 'The selected edit is:3',
      historySeq: 4,
    });
    const second = await choose({ source: true }, 'key-2');
    // The platform's choice stays the one before the first re-choice.
    expect(second).toMatchObject({
      selectedCandidate: null,
      selectedFrameIndex: null,
      chosenBy: 'key-2',
      originalFrameIndex: 3,
      originalPolicy: 'vlm',
      historySeq: 5,
    });
    const entries = history.of(tenant, edit.id);
    expect(entries.map((e) => [e.seq, e.type, e.announcement.status])).toEqual([
      [4, Topic.EditFrameRechosen, { before: 'COMPLETED', after: 'COMPLETED' }],
      [5, Topic.EditFrameRechosen, { before: 'COMPLETED', after: 'COMPLETED' }],
    ]);
    expect(entries[0].payload).toEqual({
      candidate: 1,
      frameIndex: 2,
      frameId: frames[1].id,
      previous: { candidate: 0, frameIndex: 3, policy: 'vlm' },
      actor: 'key-1',
      seq: 4,
    });
    expect(entries[1].payload).toMatchObject({
      previous: { candidate: 1, frameIndex: 2, policy: 'user' },
      actor: 'key-2',
    });
    // Each entry has its own key (a user's choices may repeat).
    expect(new Set(entries.map((e) => e.key)).size).toBe(2);
  });

  it('changes nothing when the same user makes the same choice again', async () => {
    const { history, edit, frames, choose } = await setUp();
    await choose({ frameId: frames[1].id }, 'key-1');
    const again = await choose({ frameId: frames[1].id }, 'key-1');
    expect(again.historySeq).toBe(4);
    expect(history.of(tenant, edit.id)).toHaveLength(1);
    // Another key making the same choice is a new entry: who chose changed.
    expect((await choose({ frameId: frames[1].id }, 'key-2')).historySeq).toBe(5);
  });

  it('gives a lossy frame chosen after its lossless copy was deleted a PNG result decoded from it', async () => {
    const { blobs, lossless, frames, choose } = await setUp('webp');
    const webp = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#c04020' } })
      .webp({ quality: 85 })
      .toBuffer();
    for (const f of frames) await blobs.put(f.blobKey, webp);
    await choose({ frameId: frames[1].id }, 'key-1');
    const key = await lossless.resultKey(frames[1]);
    expect(key).toBe(blobKeys.resultFrame(tenant, frames[1].editId, 1, 2));
    const png = await blobs.get(key);
    const meta = await sharp(png).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['png', 64, 48]);
    const [stored, result] = await Promise.all([webp, png].map((image) => sharp(image).raw().toBuffer()));
    expect(result.equals(stored)).toBe(true);
  });

  it('refuses an unfinished edit (CONFLICT), a frame of another edit and another tenant’s edit (NOT_FOUND)', async () => {
    const { history, edits, frames, choose } = await setUp();
    const running = await storedEdit(edits, tenant, { status: 'GENERATING' });
    const otherEdit = await storedEdit(edits, tenant);
    const theirs = await storedEdit(edits, asTenantId('other'));
    await expect(choose({ source: true }, null, running.id)).rejects.toMatchObject({
      code: ErrorCode.Conflict,
    });
    await expect(choose({ frameId: frames[0].id }, null, otherEdit.id)).rejects.toMatchObject({
      code: ErrorCode.NotFound,
    });
    await expect(choose({ source: true }, null, theirs.id)).rejects.toMatchObject({
      code: ErrorCode.NotFound,
    });
    expect(history.entries).toEqual([]);
  });
});
