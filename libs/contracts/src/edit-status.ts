/** Lifecycle of an edit. The rank orders stages so that a late event never moves an edit back. */
export const EDIT_STATUSES = [
  'SUBMITTED',
  'CAPTIONING',
  'GENERATING',
  'SELECTING',
  'COMPLETED',
  'FAILED',
  'CANCELLED',
] as const;

export type EditStatus = (typeof EDIT_STATUSES)[number];

export const TERMINAL_STATUSES: ReadonlySet<EditStatus> = new Set(['COMPLETED', 'FAILED', 'CANCELLED']);

export function statusRank(status: EditStatus): number {
  return EDIT_STATUSES.indexOf(status);
}
