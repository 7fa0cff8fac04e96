import type { EditUpdatedSubscription as Update } from './gql/graphql';

type Entry = Update['editUpdated'];

/** What the live view shows, folded from the edit's feed entries (each seq applied once, in order). */
export interface LiveState {
  lastSeq: number;
  status: string | null;
  /** Stages passed, in order (edit.requested, caption.completed, ...), with when. */
  timeline: { type: string; status: string; at: string }[];
  step: number;
  totalSteps: number;
  framesReady: number;
  totalFrames: number;
  temporalCaption: string | null;
  /** Frame ids that landed, in landing order. */
  landed: string[];
  failure: { code: string; reason: string } | null;
}

export const initialLive: LiveState = {
  lastSeq: 0,
  status: null,
  timeline: [],
  step: 0,
  totalSteps: 0,
  framesReady: 0,
  totalFrames: 0,
  temporalCaption: null,
  landed: [],
  failure: null,
};

/**
 * Applies one feed entry. A reconnect asks again from the last seq seen and the gateway may send an
 * entry twice: one at or below lastSeq changes nothing, so the view has neither gaps nor repeats.
 */
export function applyUpdate(state: LiveState, entry: Entry): LiveState {
  if (entry.seq <= state.lastSeq) return state;
  const progress = entry.type === 'video.progress';
  return {
    lastSeq: entry.seq,
    status: entry.status,
    timeline: progress
      ? state.timeline
      : [...state.timeline, { type: entry.type, status: entry.status, at: entry.occurredAt }],
    step: entry.step ?? state.step,
    totalSteps: entry.totalSteps ?? state.totalSteps,
    framesReady: entry.framesReady ?? state.framesReady,
    totalFrames: entry.totalFrames ?? state.totalFrames,
    temporalCaption: entry.temporalCaption ?? state.temporalCaption,
    landed: [
      ...state.landed,
      ...entry.frames.map((f) => f.frameId).filter((id) => !state.landed.includes(id)),
    ],
    failure: entry.failure ?? state.failure,
  };
}

export const FINISHED = new Set(['COMPLETED', 'FAILED', 'CANCELLED']);
