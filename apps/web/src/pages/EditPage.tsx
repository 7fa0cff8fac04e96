import { useEffect, useMemo, useReducer, useRef, useState } from 'react';
import { useMutation, useQuery, useSubscription } from 'urql';

import { Filmstrip } from '../components/Filmstrip';
import { MetricsChart } from '../components/MetricsChart';
import { describeError } from '../errors';
import { EditQuery, EditUpdatedSubscription, SelectFrameMutation } from '../graphql/documents';
import type { EditQuery as EditData } from '../gql/graphql';
import { applyUpdate, FINISHED, initialLive, type LiveState } from '../live';

type Edit = NonNullable<EditData['edit']>;
type Frame = Edit['frames'][number];

/** The least time between two reads of the edit while its feed announces frames. */
const REFRESH_MS = 700;

/** One edit: the live view while it runs, then its path, metrics, selection and downloads. */
export function EditPage({ id }: { id: string }) {
  const [candidate, setCandidate] = useState<number | null>(null);
  const [result, refetch] = useQuery({
    query: EditQuery,
    variables: { id, candidate: candidate ?? 0 },
    requestPolicy: 'network-only',
  });
  const [live, dispatch] = useReducer(
    (state: LiveState, entry: Parameters<typeof applyUpdate>[1]) => applyUpdate(state, entry),
    initialLive,
  );
  // The feed from its start (afterSeq 0); a reconnect replays from there and applyUpdate drops
  // what was already applied (each seq once), so nothing is missed and nothing is shown twice.
  const [feed] = useSubscription(
    { query: EditUpdatedSubscription, variables: { id, afterSeq: 0 } },
    (_prev, data) => {
      dispatch(data.editUpdated);
      return data;
    },
  );

  // Read the edit again (frame URLs, metrics, selection) when the feed says something landed.
  const last = useRef(0);
  useEffect(() => {
    if (live.lastSeq === 0) return;
    const wait = Math.max(0, last.current + REFRESH_MS - Date.now());
    const timer = setTimeout(() => {
      last.current = Date.now();
      refetch({ requestPolicy: 'network-only' });
    }, wait);
    return () => clearTimeout(timer);
  }, [live.lastSeq, live.landed.length, live.status, refetch]);

  // The path video is made in the background after generation (the feed does not announce it):
  // ask again a few times until it is there.
  const videoMissing = result.data?.edit?.status === 'COMPLETED' && !result.data.edit.pathVideoUrl;
  const [videoAsks, setVideoAsks] = useState(0);
  useEffect(() => {
    if (!videoMissing || videoAsks >= 20) return;
    const timer = setTimeout(() => {
      setVideoAsks((n) => n + 1);
      refetch({ requestPolicy: 'network-only' });
    }, 1500);
    return () => clearTimeout(timer);
  }, [videoMissing, videoAsks, refetch]);

  const edit = result.data?.edit;
  if (result.error && !edit)
    return (
      <p role="alert" className="error">
        {describeError(result.error)}
      </p>
    );
  if (!edit)
    return <p aria-live="polite">{result.fetching ? 'Loading…' : 'There is no edit with this id.'}</p>;

  const status = live.status ?? edit.status;
  return (
    <section aria-labelledby="edit-title" className="edit">
      <h1 id="edit-title">“{edit.targetCaption}”</h1>
      <LivePanel edit={edit} live={live} status={status} feedError={describeError(feed.error)} />
      <PathPanel edit={edit} candidate={candidate} setCandidate={setCandidate} />
    </section>
  );
}

const STAGES = ['SUBMITTED', 'CAPTIONING', 'GENERATING', 'SELECTING', 'COMPLETED'];

function LivePanel({
  edit,
  live,
  status,
  feedError,
}: {
  edit: Edit;
  live: LiveState;
  status: string;
  feedError: string | null;
}) {
  const totalSteps = live.totalSteps || edit.progress.totalSteps || edit.options.steps;
  const step =
    FINISHED.has(status) && status === 'COMPLETED' ? totalSteps : Math.max(live.step, edit.progress.step);
  const caption = live.temporalCaption ?? edit.temporalCaption;
  const reached = STAGES.indexOf(status);
  return (
    <div className="live">
      <p>
        Status: <strong data-testid="status">{status}</strong>
      </p>
      <ol className="stages" aria-label="Stages">
        {STAGES.map((s, i) => (
          <li
            key={s}
            className={i < reached || status === 'COMPLETED' ? 'done' : i === reached ? 'now' : ''}
            aria-current={i === reached ? 'step' : undefined}
          >
            {s.toLowerCase()}
          </li>
        ))}
      </ol>
      <label htmlFor="steps">
        Step {step}/{totalSteps}
      </label>
      <progress id="steps" max={totalSteps} value={step} />
      <p>
        Temporal caption: <q data-testid="temporal-caption">{caption ?? '…'}</q>
      </p>
      <p aria-live="polite">
        Frames: <span data-testid="frames-ready">{live.landed.length || edit.frames.length}</span> of{' '}
        {edit.options.frames * edit.options.candidates}
      </p>
      {live.failure || edit.failure ? (
        <p role="alert" className="error">
          Failed: {(live.failure ?? edit.failure)!.reason} ({(live.failure ?? edit.failure)!.code})
        </p>
      ) : null}
      {feedError ? <p className="help">Live feed: {feedError} (reconnecting)</p> : null}
      {live.timeline.length > 0 ? (
        <details>
          <summary>Timeline ({live.timeline.length} events)</summary>
          <ol className="timeline">
            {live.timeline.map((t, i) => (
              <li key={i}>
                <time dateTime={t.at}>{new Date(t.at).toLocaleTimeString()}</time> {t.type} →{' '}
                {t.status.toLowerCase()}
              </li>
            ))}
          </ol>
        </details>
      ) : null}
    </div>
  );
}

function PathPanel({
  edit,
  candidate,
  setCandidate,
}: {
  edit: Edit;
  candidate: number | null;
  setCandidate: (c: number) => void;
}) {
  const candidates = useMemo(
    () => [...new Set(edit.frames.map((f) => f.candidate))].sort((a, b) => a - b),
    [edit.frames],
  );
  const selected = edit.selection?.frame ?? null;
  const shown = candidate ?? selected?.candidate ?? candidates[0] ?? 0;
  const frames = useStableUrls(
    edit.frames.filter((f) => f.candidate === shown).sort((a, b) => a.index - b.index),
  );
  const [position, setPosition] = useState<number | null>(null);
  const selectedPosition = frames.findIndex((f) => f.id === selected?.id);
  const current = Math.min(
    position ?? (selectedPosition >= 0 ? selectedPosition : frames.length - 1),
    frames.length - 1,
  );
  const [choice, choose] = useMutation(SelectFrameMutation);

  if (frames.length === 0) return null;
  const frame = frames[Math.max(0, current)];
  const decision = edit.selectionDecision;
  const completed = edit.status === 'COMPLETED';
  return (
    <div className="path">
      <h2>The path</h2>
      {candidates.length > 1 ? (
        <fieldset className="candidates">
          <legend>Candidate (seed)</legend>
          {candidates.map((c) => (
            <label key={c}>
              <input
                type="radio"
                name="candidate"
                checked={c === shown}
                onChange={() => (setCandidate(c), setPosition(null))}
              />
              {c}
            </label>
          ))}
        </fieldset>
      ) : null}
      <div className="compare">
        <figure>
          <img src={edit.sourceUrl} alt="The source image" />
          <figcaption>Source</figcaption>
        </figure>
        <figure>
          <img
            src={frame.url}
            alt={`Frame ${frame.index} of candidate ${shown}`}
            data-testid="scrubbed-frame"
          />
          <figcaption>
            Frame {frame.index}
            {frame.id === selected?.id ? ' (selected)' : ''}
          </figcaption>
        </figure>
      </div>
      <Filmstrip frames={frames} current={current} selectedId={selected?.id ?? null} onScrub={setPosition} />
      <MetricsChart
        points={frames.map((f) => ({
          index: f.index,
          lpips: f.metrics?.lpips ?? null,
          clipI: f.metrics?.clipI ?? null,
          clipScore: f.metrics?.clipScore ?? null,
        }))}
        selectedIndex={selected && selected.candidate === shown ? selected.index : null}
        scrubbedIndex={frame.index}
      />
      {completed ? (
        <div className="result">
          <h2>Result</h2>
          <p data-testid="selection">
            {edit.noEdit
              ? 'No edit: no frame fulfils the edit, the result is the source image.'
              : `Frame ${selected?.index} of candidate ${selected?.candidate}, chosen by ${edit.selection?.policy}`}
            {edit.selection?.overridden
              ? ' (re-chosen; the platform chose ' + describeChoice(edit.selection.original) + ')'
              : ''}
          </p>
          {edit.selectionReason ? <p className="help">Why: {edit.selectionReason}</p> : null}
          <div className="actions">
            <button
              type="button"
              disabled={choice.fetching || frame.id === selected?.id}
              onClick={() => choose({ editId: edit.id, frameId: frame.id })}
            >
              Keep frame {frame.index}
            </button>
            <button
              type="button"
              className="secondary"
              disabled={choice.fetching || edit.noEdit}
              onClick={() => choose({ editId: edit.id, source: true })}
            >
              Keep the source (no edit)
            </button>
            {edit.resultUrl ? (
              // No extension: the result is PNG, or the source's or stored frame's format, and the
              // browser names the file after the content type the server sends.
              <a className="button" href={edit.resultUrl} download={`edit-${edit.id}`}>
                Download the result
              </a>
            ) : null}
            {edit.pathVideoUrl ? (
              <a className="button" href={edit.pathVideoUrl} download={`edit-${edit.id}-path-${shown}.mp4`}>
                Download the path (MP4)
              </a>
            ) : (
              <span className="help" aria-live="polite">
                The path video is being made…
              </span>
            )}
          </div>
          {choice.error ? (
            <p role="alert" className="error">
              {describeError(choice.error)}
            </p>
          ) : null}
          {edit.resultUrl ? (
            <img className="result-image" src={edit.resultUrl} alt="The result" data-testid="result" />
          ) : null}
        </div>
      ) : null}
      {decision ? (
        <details className="vlm">
          <summary>How the frame was chosen ({decision.policy})</summary>
          <p>{decision.reason}</p>
          {decision.fallbackReason ? <p>Fell back: {decision.fallbackReason}</p> : null}
          {decision.collageUrls.map((url, i) => (
            <img
              key={url}
              src={url}
              alt={`The collage shown to the VLM for candidate ${i}`}
              className="collage"
            />
          ))}
          {decision.rawAnswers.length > 0 ? (
            <>
              <h3>The VLM's answer{decision.vlmModel ? ` (${decision.vlmModel})` : ''}</h3>
              {decision.rawAnswers.map((a, i) => (
                <pre key={i}>{a}</pre>
              ))}
            </>
          ) : null}
        </details>
      ) : null}
    </div>
  );
}

function describeChoice(c: {
  noEdit: boolean;
  policy: string;
  frame?: { index: number; candidate: number } | null;
}) {
  return c.noEdit || !c.frame
    ? `no edit (${c.policy})`
    : `frame ${c.frame.index} of candidate ${c.frame.candidate} (${c.policy})`;
}

/** Keeps the first signed URL seen of each frame, so that a re-read does not reload every image. */
function useStableUrls(frames: Frame[]): Frame[] {
  const urls = useRef(new Map<string, string>());
  return frames.map((f) => {
    if (!urls.current.has(f.id)) urls.current.set(f.id, f.url);
    return { ...f, url: urls.current.get(f.id)! };
  });
}
