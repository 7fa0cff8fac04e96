import {
  EDIT_CANCELLED,
  encodeFeedCursor,
  type EditStatus,
  type EditUpdate,
  editUpdateSchema,
  eventPayloadSchemas,
  Topic,
} from '@f2f/contracts';

import { applyStageEvent, type EditState, type StageEvent } from './edit-state';

/** A history entry as the edits service records it. */
export interface HistoryEntry {
  seq: number;
  type: string;
  payload: unknown;
  occurredAt: Date;
  /** The row's id and recording time, once recorded: its position in the tenant's feed. */
  id?: bigint;
  recordedAt?: Date;
}

/** History types that are not stage events but set the status themselves. */
const STATUS_OF_TYPE: Record<string, EditStatus> = {
  [Topic.EditRequested]: 'SUBMITTED',
  [EDIT_CANCELLED]: 'CANCELLED',
};

/**
 * One feed entry in domain terms from a history entry and the status after it: the same function
 * serves the live feed (edit.status) and replay (Edit.updates), so a reconnecting client sees
 * exactly what it would have seen live.
 */
export function toEditUpdate(entry: HistoryEntry, status: EditStatus): EditUpdate {
  const base = {
    seq: entry.seq,
    type: entry.type,
    status,
    occurredAt: entry.occurredAt.toISOString(),
    cursor:
      entry.id !== undefined && entry.recordedAt
        ? encodeFeedCursor({ recordedAt: entry.recordedAt, id: entry.id.toString() })
        : null,
  };
  const details = (): Partial<EditUpdate> => {
    switch (entry.type) {
      case Topic.CaptionCompleted: {
        const p = eventPayloadSchemas[Topic.CaptionCompleted].safeParse(entry.payload);
        return p.success
          ? { temporalCaption: p.data.temporalCaption, captionProvenance: p.data.provenance }
          : {};
      }
      case Topic.VideoProgress: {
        const p = eventPayloadSchemas[Topic.VideoProgress].safeParse(entry.payload);
        if (!p.success) return {};
        const { candidate, step, totalSteps, framesReady, totalFrames, frames } = p.data;
        return {
          candidate,
          step,
          totalSteps,
          framesReady,
          totalFrames,
          frames: frames.map(({ candidate: c, index, frameId }) => ({ candidate: c, index, frameId })),
        };
      }
      case Topic.VideoGenerated: {
        const p = eventPayloadSchemas[Topic.VideoGenerated].safeParse(entry.payload);
        return p.success ? { framesReady: p.data.frames.length, totalFrames: p.data.frames.length } : {};
      }
      case Topic.FrameSelected: {
        const p = eventPayloadSchemas[Topic.FrameSelected].safeParse(entry.payload);
        if (!p.success) return {};
        const { candidate, frameIndex, policy, reason } = p.data;
        return { selection: { candidate, frameIndex, policy, reason } };
      }
      case Topic.EditFrameRechosen: {
        const p = eventPayloadSchemas[Topic.EditFrameRechosen].safeParse(entry.payload);
        if (!p.success) return {};
        const { candidate, frameIndex } = p.data;
        return {
          selection: {
            candidate,
            frameIndex,
            policy: 'user',
            reason:
              frameIndex === null
                ? 'chosen by the user: the source image (no edit)'
                : `chosen by the user: frame ${frameIndex} of candidate ${candidate}`,
          },
        };
      }
      case Topic.MetricsComputed: {
        const p = eventPayloadSchemas[Topic.MetricsComputed].safeParse(entry.payload);
        return p.success ? { metricsMean: p.data.mean } : {};
      }
      case Topic.EditFailed: {
        const p = eventPayloadSchemas[Topic.EditFailed].safeParse(entry.payload);
        return p.success
          ? { failure: { code: p.data.code, reason: `${p.data.stage}: ${p.data.reason}` } }
          : {};
      }
      default:
        return {};
    }
  };
  return editUpdateSchema.parse({ ...base, ...details() });
}

/** The state of an edit before its first event. */
export const INITIAL_EDIT_STATE: EditState = {
  status: 'SUBMITTED',
  temporalCaption: null,
  captionProvenance: null,
  progressStep: 0,
  progressTotal: 0,
  framesReady: 0,
  selectedCandidate: null,
  selectedFrameIndex: null,
  selectionPolicy: null,
  selectionReason: null,
  metricsReady: false,
  failureCode: null,
  failureReason: null,
  completedAt: null,
};

const STAGE_TYPES = new Set<string>([
  Topic.CaptionCompleted,
  Topic.VideoProgress,
  Topic.VideoGenerated,
  Topic.FrameSelected,
  Topic.MetricsComputed,
  Topic.EditFailed,
]);

/**
 * Replays a history into the feed entries after `afterSeq`, with the status after each entry from
 * the same state machine that recorded it (applyStageEvent). Entries of other kinds keep the status
 * unless they set one (edit.requested, edit.cancelled).
 */
export function replayUpdates(history: HistoryEntry[], afterSeq: number): EditUpdate[] {
  let state = INITIAL_EDIT_STATE;
  const updates: EditUpdate[] = [];
  for (const entry of [...history].sort((a, b) => a.seq - b.seq)) {
    if (entry.type in STATUS_OF_TYPE) {
      state = { ...state, status: STATUS_OF_TYPE[entry.type] };
    } else if (STAGE_TYPES.has(entry.type)) {
      const payload = eventPayloadSchemas[entry.type as StageEvent['type']].safeParse(entry.payload);
      if (payload.success) {
        state = applyStageEvent(
          state,
          { type: entry.type, payload: payload.data } as StageEvent,
          entry.occurredAt,
        );
      }
    }
    if (entry.seq > afterSeq) updates.push(toEditUpdate(entry, state.status));
  }
  return updates;
}
