import { useState } from 'react';
import { useQuery } from 'urql';

import { describeError } from '../errors';
import { EditsQuery } from '../graphql/documents';
import type { EditStatus } from '../gql/graphql';
import { editHref } from '../route';

const STATUSES: EditStatus[] = [
  'SUBMITTED',
  'CAPTIONING',
  'GENERATING',
  'SELECTING',
  'COMPLETED',
  'FAILED',
  'CANCELLED',
];
const PAGE = 10;

/** The tenant's edits, newest first, a page at a time, filtered by status. */
export function HistoryPage() {
  const [status, setStatus] = useState<EditStatus | ''>('');
  // The cursors of the pages before the current one (the first page has none).
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const after = cursors[cursors.length - 1];
  const [result] = useQuery({
    query: EditsQuery,
    variables: { first: PAGE, after, filter: status ? { status: [status] } : null },
  });
  const page = result.data?.edits;
  return (
    <section aria-labelledby="history-title">
      <h1 id="history-title">History</h1>
      <label htmlFor="status-filter">Status</label>
      <select
        id="status-filter"
        value={status}
        onChange={(e) => {
          setStatus(e.target.value as EditStatus | '');
          setCursors([null]);
        }}
      >
        <option value="">Any</option>
        {STATUSES.map((s) => (
          <option key={s} value={s}>
            {s.toLowerCase()}
          </option>
        ))}
      </select>
      {result.error ? (
        <p role="alert" className="error">
          {describeError(result.error)}
        </p>
      ) : null}
      {page && page.edges.length === 0 ? <p>No edits here yet.</p> : null}
      <ul className="history" aria-busy={result.fetching}>
        {page?.edges.map(({ node }) => (
          <li key={node.id}>
            <a href={editHref(node.id)}>
              <img src={node.resultUrl ?? node.sourceUrl} alt="" width={64} height={64} />
              <span className="caption">{node.targetCaption}</span>
              <span className={`badge ${node.status.toLowerCase()}`}>
                {node.noEdit ? 'no edit' : node.status.toLowerCase()}
              </span>
              <time dateTime={node.createdAt}>{new Date(node.createdAt).toLocaleString()}</time>
            </a>
          </li>
        ))}
      </ul>
      <div className="actions">
        <button
          type="button"
          className="secondary"
          disabled={cursors.length <= 1}
          onClick={() => setCursors(cursors.slice(0, -1))}
        >
          Newer
        </button>
        <button
          type="button"
          className="secondary"
          disabled={!page?.pageInfo.hasNextPage}
          onClick={() => page?.pageInfo.endCursor && setCursors([...cursors, page.pageInfo.endCursor])}
        >
          Older
        </button>
      </div>
    </section>
  );
}
