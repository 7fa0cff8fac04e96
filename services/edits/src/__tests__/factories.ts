import { randomUUID } from 'node:crypto';

import { asTenantId, type TenantId } from '@f2f/database';
import { type Edit, type Prisma, type PrismaClient } from '../database';

/** A tenant row (edits refer to it). */
export async function makeTenant(prisma: PrismaClient, name = 'tenant'): Promise<TenantId> {
  const id = asTenantId(`${name}-${randomUUID().slice(0, 8)}`);
  await prisma.tenant.create({ data: { id, name } });
  return id;
}

/** An edit row as the platform leaves it; completed with the VLM's frame 12 unless told otherwise. */
export function makeEdit(
  prisma: PrismaClient,
  tenantId: TenantId,
  overrides: Partial<Prisma.EditUncheckedCreateInput> = {},
): Promise<Edit> {
  const id = overrides.id ?? randomUUID();
  return prisma.edit.create({
    data: {
      id,
      tenantId,
      status: 'COMPLETED',
      targetCaption: 'A photo of a sitting dog.',
      sourceKey: `tenants/${tenantId}/edits/${id}/source.png`,
      sourceWidth: 320,
      sourceHeight: 240,
      sourceBytes: 1000,
      sourceSha256: 'a'.repeat(64),
      sourceMime: 'image/png',
      model: 'preview',
      frameCount: 49,
      steps: 50,
      guidance: 6,
      fps: 8,
      seed: 1,
      selectedCandidate: 0,
      selectedFrameIndex: 12,
      selectionPolicy: 'vlm',
      selectionReason: 'The selected edit is:3',
      metricsReady: true,
      ...overrides,
    },
  });
}

/**
 * Frames of an edit (candidate × index), as the edits service records them from the frame
 * announcements, with the metrics it records from metrics.computed when given.
 */
export async function makeFrames(
  prisma: PrismaClient,
  edit: Edit,
  frames: { candidate?: number; index: number; ssim?: number; psnr?: number }[],
): Promise<{ id: string; candidate: number; index: number }[]> {
  const made = [];
  for (const f of frames) {
    const candidate = f.candidate ?? 0;
    const id = randomUUID();
    await prisma.frame.create({
      data: {
        id,
        tenantId: edit.tenantId,
        editId: edit.id,
        candidate,
        seed: candidate,
        index: f.index,
        blobKey: `k/${id}.png`,
        rawBlobKey: `k/${id}.raw.png`,
        width: 320,
        height: 240,
        bytes: 10,
        sha256: 'b'.repeat(64),
      },
    });
    if (f.ssim !== undefined) {
      await prisma.editFrameMetric.create({
        data: {
          tenantId: edit.tenantId,
          editId: edit.id,
          candidate,
          index: f.index,
          ssim: f.ssim,
          psnr: f.psnr ?? 0,
        },
      });
    }
    made.push({ id, candidate, index: f.index });
  }
  return made;
}

/** A history entry of an edit. */
export function makeEditEvent(
  prisma: PrismaClient,
  edit: Edit,
  seq: number,
  type: string,
  occurredAt: Date,
  payload: object = {},
) {
  return prisma.editEvent.create({
    // The transitions' keys are their types; entries a history holds several of get one each.
    data: {
      tenantId: edit.tenantId,
      editId: edit.id,
      seq,
      eventId: randomUUID(),
      type,
      key: ['video.progress', 'edit.frame-rechosen'].includes(type) ? `${type}/${seq}` : type,
      payload,
      occurredAt,
    },
  });
}
