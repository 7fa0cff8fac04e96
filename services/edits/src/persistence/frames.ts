import type { TenantId } from '@f2f/database';
import type { Tx } from '../database';

/** A frame as video-generation announces it with every detail (contracts' frameRef). */
export interface AnnouncedFrame {
  candidate: number;
  index: number;
  frameId: string;
  blobKey: string;
  rawBlobKey: string;
  seed: number;
  width: number;
  height: number;
  bytes: number;
  sha256: string;
}

/** One frame's metrics as metrics.computed announces them (`series`): what the analytics average. */
export interface FrameMetricValues {
  candidate: number;
  index: number;
  ssim: number;
  psnr: number;
  lpips: number | null;
  clipI: number | null;
  /** CLIPScore: 2.5 · max(clipCosine, 0). */
  clipScore: number | null;
  /** The raw image–text cosine. */
  clipCosine: number | null;
}

/**
 * The frames of the tenant's edits and their metrics, recorded from the stage events in the
 * event's transaction. Both are upserts on the frame's place (edit, candidate, index): an
 * announcement repeated by a retry or a re-run leaves one row with the latest details.
 */
export interface FramesRepository {
  record(tx: Tx, tenantId: TenantId, editId: string, frames: readonly AnnouncedFrame[]): Promise<void>;
  recordMetrics(
    tx: Tx,
    tenantId: TenantId,
    editId: string,
    metrics: readonly FrameMetricValues[],
  ): Promise<void>;
}
export const FRAMES_REPOSITORY = Symbol('FramesRepository');
