import type { EditUpdate } from './events';

/**
 * An edit update as GraphQL's `EditUpdate` type shows it (the edits subgraph's replay and the
 * gateway's subscriptions both answer with it): metric means as name/value pairs, and whether the
 * selection kept the source image.
 */
export function editUpdateView(editId: string, update: EditUpdate) {
  return {
    ...update,
    editId,
    selection: update.selection
      ? { ...update.selection, noEdit: update.selection.frameIndex === null }
      : null,
    metricsMean: Object.entries(update.metricsMean ?? {}).map(([name, value]) => ({ name, value })),
  };
}
export type EditUpdateView = ReturnType<typeof editUpdateView>;
