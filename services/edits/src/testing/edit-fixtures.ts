import { randomUUID } from 'node:crypto';

import { type EventPayloads, makeEnvelope, Topic } from '@f2f/contracts';
import type { TenantId } from '@f2f/database';
import type { Edit, Frame } from '../database';

import type { StageEvent } from '../stage-events/edit-state';
import type { InMemoryEditsRepository } from './in-memory';

/** An edit in an in-memory repository, completed with the VLM's frame 3 of candidate 0 unless told otherwise. */
export async function storedEdit(
  edits: InMemoryEditsRepository,
  tenantId: TenantId,
  overrides: Partial<Edit> = {},
): Promise<Edit> {
  edits.tenants.add(tenantId);
  const id = overrides.id ?? randomUUID();
  const created = await edits.create(undefined as never, {
    id,
    tenantId,
    idempotencyKey: null,
    requestHash: null,
    targetCaption: 'A photo of a sitting dog.',
    sourceKey: `tenants/${tenantId}/edits/${id}/source.png`,
    sourceWidth: 64,
    sourceHeight: 48,
    sourceBytes: 100,
    sourceSha256: 'a'.repeat(64),
    sourceMime: 'image/png',
    groundTruthKey: null,
    model: 'preview',
    frameCount: 5,
    steps: 4,
    guidance: 6,
    fps: 8,
    seed: 1,
    candidates: 2,
    captionMode: 'temporal',
    selection: 'vlm',
    outputWidth: null,
    outputHeight: null,
    progressTotal: 4,
    historySeq: 3,
    traceId: 'b'.repeat(32),
  });
  return edits.update(undefined as never, tenantId, created.id, {
    status: 'COMPLETED',
    selectedCandidate: 0,
    selectedFrameIndex: 3,
    selectionPolicy: 'vlm',
    selectionReason: 'The selected edit is:3',
    metricsReady: true,
    ...overrides,
  });
}

/** Frames of an edit in the in-memory repository (the rows the stage events record). */
export function storedFrames(
  edits: InMemoryEditsRepository,
  edit: Edit,
  places: { candidate: number; index: number }[],
  ext = 'png',
): Frame[] {
  const rows = places.map(({ candidate, index }) => ({
    id: randomUUID(),
    tenantId: edit.tenantId,
    editId: edit.id,
    candidate,
    seed: edit.seed + candidate,
    index,
    blobKey: `k/${candidate}/${index}.${ext}`,
    rawBlobKey: `k/${candidate}/${index}.raw.${ext}`,
    width: 64,
    height: 48,
    bytes: 10,
    sha256: 'b'.repeat(64),
    createdAt: new Date(),
  }));
  edits.frameRows.push(...rows);
  return rows;
}

type FrameRef = EventPayloads[Topic.VideoGenerated]['frames'][number];

/** A frame as video-generation announces it now: with every detail. */
export function announcedFrame(editId: string, candidate: number, index: number): FrameRef {
  return {
    candidate,
    index,
    frameId: randomUUID(),
    blobKey: `tenants/t/edits/${editId}/frames/${candidate}/${index}.png`,
    rawBlobKey: `tenants/t/edits/${editId}/frames/${candidate}/${index}.raw.png`,
    seed: 7 + candidate,
    width: 64,
    height: 48,
    bytes: 1000 + index,
    sha256: `${index}`.padStart(64, 'c'),
  };
}

/** A stage event of an edit, its payload validated as the consumer would. */
export function stageEvent<T extends StageEvent['type']>(
  edit: { id: string; tenantId: string },
  type: T,
  payload: EventPayloads[T],
): StageEvent {
  return makeEnvelope({ type, editId: edit.id, tenantId: edit.tenantId, payload } as never) as StageEvent;
}

export const generatedPayload = (frames: FrameRef[]): EventPayloads[Topic.VideoGenerated] => ({
  targetCaption: 'A photo of a sitting dog.',
  temporalCaption: 'The dog sits down.',
  sourceKey: 'k/source.png',
  groundTruthKey: null,
  model: 'preview',
  generator: 'preview',
  width: 64,
  height: 48,
  candidates: [{ candidate: 0, seed: 7, computeSeconds: 2.5, worker: 'w1', attempts: 1 }],
  frames,
  computeSeconds: 2.5,
  selection: 'vlm',
});
