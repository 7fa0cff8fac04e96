import { createHash } from 'node:crypto';

import { Topic } from './topics';

/**
 * The history entry cancelEdit appends: a history type, not a topic (edit.status announces it).
 */
export const EDIT_CANCELLED = 'edit.cancelled';

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
  EDIT_CANCELLED,
  Topic.EditFrameRechosen,
] as const;
export type EditHistoryType = `${(typeof EDIT_HISTORY_TYPES)[number]}`;

/**
 * The id of the edit.status event that announces an edit's history entry `seq`: a function of the
 * entry (a name-based UUID, version 5 layout over SHA-256), so that the announcement has one id
 * however often it is published. It is the webhook body's `id` and what the webhooks service's
 * deliveries are unique on (endpoint, event id).
 */
export function historyEntryEventId(editId: string, seq: number): string {
  const h = createHash('sha256').update(`edit.status/${editId}/${seq}`).digest('hex');
  const variant = ((parseInt(h[16], 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
