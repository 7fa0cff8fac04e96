export const VIDEO_GENERATION_SETTINGS = Symbol('VideoGenerationSettings');

export interface VideoGenerationSettings {
  deadlineMs: number;
  progressMinIntervalMs: number;
}
