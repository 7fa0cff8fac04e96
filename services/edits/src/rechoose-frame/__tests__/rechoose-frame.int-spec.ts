import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { createDatabase, type PrismaClient as ServiceClient } from '../../database';
import { createLogger, DomainError, ErrorCode } from '@f2f/common';
import { makeEnvelope, Topic } from '@f2f/contracts';
import type { TenantId } from '@f2f/database';
import type { Edit } from '../../database';

import { createTestDatabase, type TestDatabase } from '../../../../../test/support/database';
import { makeEdit, makeEditEvent, makeFrames, makeTenant } from '../../__tests__/factories';
import { prismaRepositories } from '../../testing/prisma-repositories';
import { LosslessFrames } from '../../lossless-frames/lossless-frames';
import { FilesystemBlobStore } from '@f2f/storage';
import { applyStageEvent } from '../../stage-events/edit-state';
import { RechooseFrameCommand } from '../rechoose-frame.command';
import { RechooseFrameUseCase } from '../rechoose-frame.use-case';

let db: TestDatabase<ServiceClient>;
let useCase: RechooseFrameUseCase;
let tenant: TenantId;
let other: TenantId;

beforeAll(async () => {
  db = await createTestDatabase('select_frame', createDatabase);
  const { transactions, edits, history } = prismaRepositories(db.prisma);
  const blobs = new FilesystemBlobStore(await mkdtemp(path.join(os.tmpdir(), 'f2f-rechoose-')));
  const lossless = new LosslessFrames(edits, blobs, createLogger('test', 'silent'));
  useCase = new RechooseFrameUseCase(transactions, edits, history, lossless);
  tenant = await makeTenant(db.prisma, 'a');
  other = await makeTenant(db.prisma, 'b');
});
afterAll(() => db.drop());

/** A completed edit with two candidates of 5 frames, the VLM's choice frame 3 of candidate 0, and 3 history entries. */
async function completedEdit(tenantId = tenant, status: Edit['status'] = 'COMPLETED') {
  const edit = await makeEdit(db.prisma, tenantId, {
    status,
    selectedCandidate: 0,
    selectedFrameIndex: 3,
    historySeq: 3,
  });
  const frames = await makeFrames(
    db.prisma,
    edit,
    [0, 1].flatMap((candidate) => [0, 1, 2, 3, 4].map((index) => ({ candidate, index }))),
  );
  const t0 = Date.now() - 60_000;
  for (const [i, type] of ['edit.requested', 'frame.selected', 'metrics.computed'].entries()) {
    await makeEditEvent(db.prisma, edit, i + 1, type, new Date(t0 + i * 1000));
  }
  return {
    edit,
    frame: (candidate: number, index: number) =>
      frames.find((f) => f.candidate === candidate && f.index === index)!,
  };
}

const select = (
  tenantId: TenantId,
  editId: string,
  choice: { frameId?: string; source?: boolean },
  actor: string | null = null,
) => useCase.execute(RechooseFrameCommand.create(tenantId, { editId, ...choice }, actor));

async function codeOf(work: () => unknown): Promise<string> {
  try {
    await work();
  } catch (err) {
    return err instanceof DomainError ? err.code : String(err);
  }
  return 'no error';
}

describe('selectFrame', () => {
  it('keeps another frame, then the source, keeping the platform choice and recording each in the history', async () => {
    const { edit, frame } = await completedEdit();
    const chosen = frame(1, 2);
    const first = await select(tenant, edit.id, { frameId: chosen.id }, 'key-123');
    expect(first).toMatchObject({
      selectedCandidate: 1,
      selectedFrameIndex: 2,
      selectionPolicy: 'user',
      chosenBy: 'key-123',
      originalCandidate: 0,
      originalFrameIndex: 3,
      originalPolicy: 'vlm',
      originalReason: 'The selected edit is:3',
      historySeq: 4,
      status: 'COMPLETED',
    });
    const second = await select(tenant, edit.id, { source: true });
    // The original stays the platform's choice, not the user's first one.
    expect(second).toMatchObject({
      selectedCandidate: null,
      selectedFrameIndex: null,
      selectionPolicy: 'user',
      chosenBy: null,
      originalCandidate: 0,
      originalFrameIndex: 3,
      originalPolicy: 'vlm',
      historySeq: 5,
    });

    const history = await prismaRepositories(db.prisma).edits.history(tenant, edit.id);
    expect(history.map((h) => [h.seq, h.type])).toEqual([
      [1, 'edit.requested'],
      [2, 'frame.selected'],
      [3, 'metrics.computed'],
      [4, 'edit.frame-rechosen'],
      [5, 'edit.frame-rechosen'],
    ]);
    expect(history[3].payload).toEqual({
      candidate: 1,
      frameIndex: 2,
      frameId: chosen.id,
      previous: { candidate: 0, frameIndex: 3, policy: 'vlm' },
      actor: 'key-123',
      seq: 4,
    });
    expect(history[4].payload).toMatchObject({
      candidate: null,
      frameIndex: null,
      frameId: null,
      previous: { candidate: 1, frameIndex: 2, policy: 'user' },
      actor: null,
    });
    // Announced through the outbox on edit.status only (nothing consumed a topic of its own), keyed
    // by the edit, in history order, each with its live-feed entry.
    const published = await db.prisma.outboxEvent.findMany({
      where: { key: edit.id },
      orderBy: { id: 'asc' },
    });
    type Announced = { payload: { seq: number; update: { type: string } } };
    expect(
      published.map((p) => {
        const { payload } = p.envelope as Announced;
        return [p.topic, payload.seq, payload.update.type];
      }),
    ).toEqual([
      ['test.edit.status', 4, 'edit.frame-rechosen'],
      ['test.edit.status', 5, 'edit.frame-rechosen'],
    ]);

    // The same choice again changes nothing.
    const again = await select(tenant, edit.id, { source: true });
    expect(again.historySeq).toBe(5);
    expect(await db.prisma.editEvent.count({ where: { editId: edit.id } })).toBe(5);
  });

  it('answers NOT_FOUND for another tenant’s edit, a frame of another edit and an unknown id', async () => {
    const { edit, frame } = await completedEdit(tenant);
    const theirs = await completedEdit(other);
    expect(await codeOf(() => select(other, edit.id, { frameId: frame(0, 1).id }))).toBe(ErrorCode.NotFound);
    expect(await codeOf(() => select(tenant, edit.id, { frameId: theirs.frame(0, 1).id }))).toBe(
      ErrorCode.NotFound,
    );
    expect(await codeOf(() => select(tenant, 'not-a-uuid', { source: true }))).toBe(ErrorCode.NotFound);
    expect(await codeOf(() => select(tenant, edit.id, { frameId: 'nope' }))).toBe(ErrorCode.NotFound);
    const untouched = await db.prisma.edit.findUniqueOrThrow({ where: { id: edit.id } });
    expect([untouched.selectionPolicy, untouched.historySeq]).toEqual(['vlm', 3]);
  });

  it('refuses an edit that is not completed, and bad input', async () => {
    for (const status of ['SELECTING', 'FAILED', 'CANCELLED'] as const) {
      const { edit, frame } = await completedEdit(tenant, status);
      expect(await codeOf(() => select(tenant, edit.id, { frameId: frame(0, 1).id }))).toBe(
        ErrorCode.Conflict,
      );
    }
    const { edit, frame } = await completedEdit();
    expect(await codeOf(() => select(tenant, edit.id, {}))).toBe(ErrorCode.InvalidInput);
    expect(await codeOf(() => select(tenant, edit.id, { frameId: frame(0, 1).id, source: true }))).toBe(
      ErrorCode.InvalidInput,
    );
    expect(await codeOf(() => select(tenant, edit.id, { source: false }))).toBe(ErrorCode.InvalidInput);
  });

  it('keeps a user choice when a platform choice arrives late', () => {
    const state = {
      status: 'COMPLETED' as const,
      temporalCaption: null,
      captionProvenance: null,
      progressStep: 50,
      progressTotal: 50,
      framesReady: 49,
      selectedCandidate: 1,
      selectedFrameIndex: 2,
      selectionPolicy: 'user',
      selectionReason: 'chosen by the user',
      metricsReady: true,
      failureCode: null,
      failureReason: null,
      completedAt: new Date(),
    };
    const late = makeEnvelope({
      type: Topic.FrameSelected,
      editId: '00000000-0000-4000-8000-000000000001',
      tenantId: 'a',
      payload: {
        candidate: 0,
        frameIndex: 40,
        frameId: null,
        policy: 'vlm',
        reason: 'late',
        collageKeys: [],
      },
    });
    expect(applyStageEvent(state, late, new Date())).toMatchObject({
      selectedFrameIndex: 2,
      selectionPolicy: 'user',
    });
  });
});
