import type { FrameEncoding } from '@f2f/imaging';

export const VIDEO_GENERATION_SETTINGS = Symbol('VideoGenerationSettings');

export interface VideoGenerationSettings {
  deadlineMs: number;
  progressMinIntervalMs: number;
  /** How frames are stored (lossy formats also keep a lossless copy of each edited frame). */
  frameEncoding: FrameEncoding;
  /** Frames of one candidate stored at once (encoded and written while the next ones arrive). */
  framesInFlight: number;
}
