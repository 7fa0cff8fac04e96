import type { FrameMetrics, FrameRef } from '@f2f/contracts';

/** What caption.completed says an edit's frames will be measured against (the frames give the size). */
export interface EditReferences {
  sourceKey: string;
  groundTruthKey: string | null;
  targetCaption: string;
}

interface EditEntry {
  references: EditReferences | null;
  /** Metrics of frames measured as they landed, by frame id, with the content they were measured on. */
  measured: Map<string, { sha256: string; metrics: FrameMetrics }>;
}

/** Edits remembered at once: far more than one process measures while others generate. */
export const EDITS_REMEMBERED = 64;

/**
 * The metrics of frames measured as they landed (video.progress), until video.generated takes them.
 * Memory only, and only an optimisation: after a restart, on another replica, or for a frame whose
 * content changed since (a retried generation stores it again), video.generated measures the frame
 * itself. Bounded: the edits seen longest ago are forgotten first (a cancelled edit's frames never
 * get taken). Provided as a value (app.module): one per process.
 */
export class LandedFrames {
  private readonly edits = new Map<string, EditEntry>();

  constructor(private readonly capacity = EDITS_REMEMBERED) {}

  /** The references an edit's frames are measured against (from caption.completed). */
  plan(tenantId: string, editId: string, references: EditReferences): void {
    this.entry(tenantId, editId).references = references;
  }

  referencesOf(tenantId: string, editId: string): EditReferences | null {
    return this.edits.get(keyOf(tenantId, editId))?.references ?? null;
  }

  /** Frames measured as they landed (each with its stored content's SHA-256). */
  measured(
    tenantId: string,
    editId: string,
    frames: readonly { sha256: string; metrics: FrameMetrics }[],
  ): void {
    const entry = this.edits.get(keyOf(tenantId, editId));
    if (!entry) return; // forgotten meanwhile: video.generated measures them
    for (const frame of frames) entry.measured.set(frame.metrics.frameId, frame);
  }

  /**
   * The metrics measured already of these frames (those whose content is the one measured), and the
   * edit forgotten: video.generated takes them once.
   */
  take(tenantId: string, editId: string, frames: readonly FrameRef[]): Map<string, FrameMetrics> {
    const key = keyOf(tenantId, editId);
    const entry = this.edits.get(key);
    this.edits.delete(key);
    const taken = new Map<string, FrameMetrics>();
    if (!entry) return taken;
    for (const frame of frames) {
      const early = entry.measured.get(frame.frameId);
      if (
        early &&
        frame.sha256 === early.sha256 &&
        early.metrics.candidate === frame.candidate &&
        early.metrics.index === frame.index
      ) {
        taken.set(frame.frameId, early.metrics);
      }
    }
    return taken;
  }

  get size(): number {
    return this.edits.size;
  }

  private entry(tenantId: string, editId: string): EditEntry {
    const key = keyOf(tenantId, editId);
    let entry = this.edits.get(key);
    if (!entry) {
      entry = { references: null, measured: new Map() };
      this.edits.set(key, entry);
      for (const oldest of this.edits.keys()) {
        if (this.edits.size <= this.capacity) break;
        this.edits.delete(oldest);
      }
    }
    return entry;
  }
}

const keyOf = (tenantId: string, editId: string) => `${tenantId}/${editId}`;
