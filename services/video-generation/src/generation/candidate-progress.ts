import type { FrameRef } from '@f2f/contracts';

/**
 * What one candidate's generation has stored so far and what of it is still to be announced:
 * every stored frame goes out once in video.progress, and progress goes out at most every
 * `minIntervalMs` unless forced (the first and last step, the last frame).
 */
export class CandidateProgress {
  private readonly frames = new Map<number, FrameRef>();
  private unannounced: FrameRef[] = [];
  private lastAnnouncedAt = 0;
  worker = '';

  constructor(private readonly minIntervalMs: number) {}

  /** A new attempt (another worker after one died) starts the path over with the same seed. */
  restart(worker: string): void {
    this.frames.clear();
    this.unannounced = [];
    this.lastAnnouncedAt = 0;
    this.worker = worker;
  }

  stored(frame: FrameRef): void {
    this.frames.set(frame.index, frame);
    this.unannounced.push(frame);
  }

  get framesReady(): number {
    return this.frames.size;
  }

  /** The frames to announce now, or null when the last announcement was too recent. */
  takeAnnouncement(force: boolean, now = Date.now()): FrameRef[] | null {
    if (!force && now - this.lastAnnouncedAt < this.minIntervalMs) return null;
    this.lastAnnouncedAt = now;
    const landed = this.unannounced;
    this.unannounced = [];
    return landed;
  }

  /** The stored frames in index order. */
  path(): FrameRef[] {
    return [...this.frames.values()].sort((a, b) => a.index - b.index);
  }
}
