import { Topic } from './topics';

/**
 * The types of an edit's history entries, as the edits service records them and announces each on
 * edit.status (`payload.update.type`): the stage events, plus `edit.cancelled` (cancelEdit) and
 * `edit.frame-rechosen` (selectFrame). Webhook endpoints filter on these.
 */
export const EDIT_HISTORY_TYPES = [
  Topic.EditRequested,
  Topic.CaptionCompleted,
  Topic.VideoProgress,
  Topic.VideoGenerated,
  Topic.FrameSelected,
  Topic.MetricsComputed,
  Topic.EditFailed,
  'edit.cancelled',
  Topic.EditFrameRechosen,
] as const;
export type EditHistoryType = `${(typeof EDIT_HISTORY_TYPES)[number]}`;
