export interface StripFrame {
  id: string;
  index: number;
  url: string;
}

/**
 * The path of one candidate: a scrubber (a range input: arrow keys move a frame) and a row of
 * thumbnails (buttons), the selected frame marked.
 */
export function Filmstrip({
  frames,
  current,
  selectedId,
  onScrub,
}: {
  frames: StripFrame[];
  current: number;
  selectedId: string | null;
  onScrub: (position: number) => void;
}) {
  if (frames.length === 0) return null;
  return (
    <div className="filmstrip">
      <label htmlFor="scrubber">
        Frame {frames[current]?.index ?? 0} of {frames.length}
      </label>
      <input
        id="scrubber"
        type="range"
        min={0}
        max={frames.length - 1}
        step={1}
        value={current}
        onChange={(e) => onScrub(Number(e.target.value))}
        aria-valuetext={`frame ${frames[current]?.index ?? 0}`}
      />
      <ol className="thumbs" aria-label="Frames">
        {frames.map((f, i) => (
          <li key={f.id}>
            <button
              type="button"
              className={`thumb${i === current ? ' current' : ''}${f.id === selectedId ? ' selected' : ''}`}
              aria-label={`Frame ${f.index}${f.id === selectedId ? ' (selected)' : ''}`}
              aria-pressed={i === current}
              onClick={() => onScrub(i)}
            >
              <img src={f.url} alt="" loading="lazy" width={48} height={48} />
            </button>
          </li>
        ))}
      </ol>
    </div>
  );
}
