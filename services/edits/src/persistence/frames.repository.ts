import type { TenantId } from '@f2f/database';
import type { Tx } from '../database';

import type { AnnouncedFrame, FrameMetricValues, FramesRepository } from './frames';

/**
 * Frames in `frames`, their metrics in `edit_frame_metrics` (both the edits service's). Each call
 * is one statement however many frames an event lists (up to 257 × 8), so that the event's
 * transaction, which holds the edit's row lock, stays short.
 */
export class PrismaFramesRepository implements FramesRepository {
  async record(tx: Tx, tenantId: TenantId, editId: string, frames: readonly AnnouncedFrame[]): Promise<void> {
    if (frames.length === 0) return;
    const column = <K extends keyof AnnouncedFrame>(key: K) => frames.map((f) => f[key]);
    await tx.$executeRaw`
      INSERT INTO frames (id, tenant_id, edit_id, candidate, index, seed, blob_key, raw_blob_key, width, height, bytes, sha256)
      SELECT f.id, ${tenantId}, ${editId}::uuid, f.candidate, f.index, f.seed, f.blob_key, f.raw_blob_key, f.width,
        f.height, f.bytes, f.sha256
      FROM unnest(${column('frameId')}::uuid[], ${column('candidate')}::int[], ${column('index')}::int[],
        ${column('seed')}::int[], ${column('blobKey')}::text[], ${column('rawBlobKey')}::text[],
        ${column('width')}::int[], ${column('height')}::int[], ${column('bytes')}::int[], ${column('sha256')}::text[])
        AS f(id, candidate, index, seed, blob_key, raw_blob_key, width, height, bytes, sha256)
      ON CONFLICT (edit_id, candidate, index) DO UPDATE SET seed = EXCLUDED.seed, blob_key = EXCLUDED.blob_key,
        raw_blob_key = EXCLUDED.raw_blob_key, width = EXCLUDED.width, height = EXCLUDED.height,
        bytes = EXCLUDED.bytes, sha256 = EXCLUDED.sha256`;
  }

  async recordMetrics(
    tx: Tx,
    tenantId: TenantId,
    editId: string,
    metrics: readonly FrameMetricValues[],
  ): Promise<void> {
    if (metrics.length === 0) return;
    const column = <K extends keyof FrameMetricValues>(key: K) => metrics.map((m) => m[key]);
    await tx.$executeRaw`
      INSERT INTO edit_frame_metrics (tenant_id, edit_id, candidate, index, ssim, psnr, lpips, clip_i, clip_score, clip_cosine)
      SELECT ${tenantId}, ${editId}::uuid, m.candidate, m.index, m.ssim, m.psnr, m.lpips, m.clip_i, m.clip_score, m.clip_cosine
      FROM unnest(${column('candidate')}::int[], ${column('index')}::int[], ${column('ssim')}::float8[],
        ${column('psnr')}::float8[], ${column('lpips')}::float8[], ${column('clipI')}::float8[],
        ${column('clipScore')}::float8[], ${column('clipCosine')}::float8[])
        AS m(candidate, index, ssim, psnr, lpips, clip_i, clip_score, clip_cosine)
      ON CONFLICT (edit_id, candidate, index) DO UPDATE SET ssim = EXCLUDED.ssim, psnr = EXCLUDED.psnr,
        lpips = EXCLUDED.lpips, clip_i = EXCLUDED.clip_i, clip_score = EXCLUDED.clip_score,
        clip_cosine = EXCLUDED.clip_cosine`;
  }
}
