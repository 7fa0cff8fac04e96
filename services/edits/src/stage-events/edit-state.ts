import { assertNever } from '@f2f/common';
import { type AnyEventEnvelope, type EditStatus, statusRank, TERMINAL_STATUSES, Topic } from '@f2f/contracts';

/** The part of an edit that stage events change. */
export interface EditState {
  status: EditStatus;
  temporalCaption: string | null;
  captionProvenance: string | null;
  progressStep: number;
  progressTotal: number;
  framesReady: number;
  selectedCandidate: number | null;
  selectedFrameIndex: number | null;
  selectionPolicy: string | null;
  selectionReason: string | null;
  metricsReady: boolean;
  failureCode: string | null;
  failureReason: string | null;
  completedAt: Date | null;
}

export type StageEvent = Exclude<
  AnyEventEnvelope,
  { type: Topic.EditRequested | Topic.EditStatus | Topic.EditFrameRechosen | Topic.DeadLetter }
>;

/** Moves forward only: a late or reordered event never takes an edit back to an earlier stage. */
function advance(current: EditStatus, next: EditStatus): EditStatus {
  if (TERMINAL_STATUSES.has(current)) return current;
  return statusRank(next) > statusRank(current) ? next : current;
}

/**
 * The edit after a stage event: a pure function, so that the order in which events of different
 * topics arrive changes nothing in the outcome.
 */
export function applyStageEvent(state: EditState, event: StageEvent, now: Date): EditState {
  const next: EditState = { ...state };
  switch (event.type) {
    case Topic.CaptionCompleted:
      next.temporalCaption = event.payload.temporalCaption;
      next.captionProvenance = event.payload.provenance;
      next.status = advance(state.status, 'GENERATING');
      break;
    case Topic.VideoProgress:
      next.progressStep = Math.max(state.progressStep, event.payload.step);
      next.progressTotal = event.payload.totalSteps;
      next.framesReady = Math.max(state.framesReady, event.payload.framesReady);
      next.status = advance(state.status, 'GENERATING');
      break;
    case Topic.VideoGenerated:
      next.framesReady = Math.max(
        state.framesReady,
        ...event.payload.candidates.map(
          (c) => event.payload.frames.filter((f) => f.candidate === c.candidate).length,
        ),
      );
      next.progressStep = Math.max(state.progressStep, state.progressTotal);
      next.status = advance(state.status, 'SELECTING');
      break;
    case Topic.FrameSelected:
      // A user's choice (selectFrame) is never overwritten by a late or repeated platform choice.
      if (state.selectionPolicy === 'user') break;
      next.selectedCandidate = event.payload.candidate;
      next.selectedFrameIndex = event.payload.frameIndex;
      next.selectionPolicy = event.payload.policy;
      next.selectionReason = event.payload.reason;
      next.status = advance(state.status, 'SELECTING');
      break;
    case Topic.MetricsComputed:
      next.metricsReady = true;
      next.status = advance(state.status, 'SELECTING');
      break;
    case Topic.EditFailed:
      if (!TERMINAL_STATUSES.has(state.status)) {
        next.status = 'FAILED';
        next.failureCode = event.payload.code;
        next.failureReason = `${event.payload.stage}: ${event.payload.reason}`;
      }
      break;
    default:
      return assertNever(event);
  }
  // Selected (a frame, or none: the source image) and measured.
  if (next.status === 'SELECTING' && next.selectionPolicy !== null && next.metricsReady) {
    next.status = 'COMPLETED';
  }
  if (TERMINAL_STATUSES.has(next.status) && !TERMINAL_STATUSES.has(state.status)) next.completedAt = now;
  return next;
}
