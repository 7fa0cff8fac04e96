// The operations a frontend sends, as apps/web sends them (apps/web/src/graphql/documents.ts):
// the edit page (the edit with its frames and their metrics) and the history page (the listing).

const FRAME_FIELDS = `fragment FrameFields on Frame {
  id candidate index url width height
  metrics { lpips clipI clipScore ssim psnr }
}`;

/** The edit page: one edit, its 49 frames with their metrics, its selection and history. */
export const EDIT_QUERY = `query Edit($id: ID!, $candidate: Int) {
  edit(id: $id) {
    id status targetCaption temporalCaption captionProvenance createdAt completedAt
    sourceUrl resultUrl pathVideoUrl(candidate: $candidate) noEdit selectionPolicy selectionReason
    failure { code reason }
    options { model frames steps fps seed candidates captionMode selection outputWidth outputHeight }
    progress { step totalSteps framesReady totalFrames }
    selection {
      policy reason noEdit overridden
      frame { id candidate index }
      original { policy noEdit frame { id candidate index } }
    }
    frames { ...FrameFields }
    selectionDecision { policy reason candidate frameIndex noEdit collageUrls rawAnswers vlmModel fallbackReason }
    history { seq type occurredAt }
  }
}
${FRAME_FIELDS}`;

/** The history page: the newest edits, a page of 20. */
export const EDITS_QUERY = `query Edits($first: Int!, $after: String, $filter: EditFilter) {
  edits(first: $first, after: $after, filter: $filter) {
    edges { cursor node { id status targetCaption createdAt noEdit sourceUrl resultUrl } }
    pageInfo { hasNextPage endCursor }
  }
}`;

export interface BenchQuery {
  /** Its name in the tables. */
  name: string;
  body: string;
  /** Whether an answer is the full one (not an error, not an empty page): checked before loading. */
  complete(data: Record<string, unknown>): boolean;
}

interface EditAnswer {
  edit: { frames: { metrics: unknown }[] } | null;
}
interface EditsAnswer {
  edits: { edges: unknown[] };
}

/** The two operations, for an edit of `frames` frames and a history of at least `edits` edits. */
export function benchQueries(editId: string, frames: number, edits: number): BenchQuery[] {
  return [
    {
      name: `edit page (${frames} frames + metrics)`,
      body: JSON.stringify({ query: EDIT_QUERY, variables: { id: editId }, operationName: 'Edit' }),
      complete: (data) => {
        const edit = (data as unknown as EditAnswer).edit;
        return edit?.frames.length === frames && edit.frames.every((f) => f.metrics !== null);
      },
    },
    {
      name: 'history page (20 edits)',
      body: JSON.stringify({ query: EDITS_QUERY, variables: { first: 20 }, operationName: 'Edits' }),
      complete: (data) => (data as unknown as EditsAnswer).edits.edges.length >= Math.min(edits, 20),
    },
  ];
}
