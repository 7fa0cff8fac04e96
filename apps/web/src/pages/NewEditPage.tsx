import { useState } from 'react';
import { useClient } from 'urql';

import { describeError } from '../errors';
import { CreateEditMutation } from '../graphql/documents';
import {
  AdvancedOptions,
  CAPTION_MODES,
  defaultAdvanced,
  LIMITS,
  SELECTION_POLICIES,
  toOptionsInput,
} from '../limits';
import { editHref } from '../route';
import { uploadImage } from '../upload';

/** New edit: an image (picked or dropped), the target caption, and the advanced options. */
export function NewEditPage() {
  const client = useClient();
  const [file, setFile] = useState<File | null>(null);
  const [preview, setPreview] = useState<string | null>(null);
  const [caption, setCaption] = useState('');
  const [options, setOptions] = useState<AdvancedOptions>(defaultAdvanced);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [dragging, setDragging] = useState(false);

  const choose = (f: File | undefined) => {
    if (!f) return;
    setFile(f);
    setError(null);
    if (preview) URL.revokeObjectURL(preview);
    setPreview(URL.createObjectURL(f));
  };
  const set = (k: keyof AdvancedOptions) => (e: { target: { value: string } }) =>
    setOptions({ ...options, [k]: e.target.value });

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    if (!file) return setError('Pick or drop an image first.');
    setError(null);
    try {
      setBusy('Uploading the image…');
      const sourceUploadId = await uploadImage(client, file);
      setBusy('Submitting the edit…');
      const result = await client
        .mutation(CreateEditMutation, {
          input: { sourceUploadId, targetCaption: caption, options: toOptionsInput(options) },
        })
        .toPromise();
      if (!result.data) throw new Error(describeError(result.error) ?? 'the edit was refused');
      window.location.hash = editHref(result.data.createEdit.id);
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(null);
    }
  };

  return (
    <section aria-labelledby="new-edit-title">
      <h1 id="new-edit-title">New edit</h1>
      <form onSubmit={submit} className="new-edit">
        <div
          className={`drop${dragging ? ' dragging' : ''}`}
          onDragOver={(e) => {
            e.preventDefault();
            setDragging(true);
          }}
          onDragLeave={() => setDragging(false)}
          onDrop={(e) => {
            e.preventDefault();
            setDragging(false);
            choose(e.dataTransfer.files[0]);
          }}
        >
          <label htmlFor="image">Image (PNG, JPEG or WebP): pick one or drop it here</label>
          <input
            id="image"
            name="image"
            type="file"
            accept="image/png,image/jpeg,image/webp"
            onChange={(e) => choose(e.target.files?.[0])}
          />
          {preview ? <img className="preview" src={preview} alt="The chosen image" /> : null}
        </div>
        <label htmlFor="caption">Target caption</label>
        <input
          id="caption"
          name="caption"
          required
          maxLength={1000}
          placeholder="A photo of a sitting dog."
          value={caption}
          onChange={(e) => setCaption(e.target.value)}
        />
        <details>
          <summary>Advanced options</summary>
          <div className="grid">
            <label>
              Seed
              <input
                type="number"
                min={LIMITS.seed.min}
                max={LIMITS.seed.max}
                value={options.seed}
                onChange={set('seed')}
                placeholder="random"
              />
            </label>
            <label>
              Candidates (videos from different seeds)
              <input
                type="number"
                min={LIMITS.candidates.min}
                max={LIMITS.candidates.max}
                value={options.candidates}
                onChange={set('candidates')}
              />
            </label>
            <label>
              Selection policy
              <select value={options.selection} onChange={set('selection')}>
                {SELECTION_POLICIES.map((p) => (
                  <option key={p.value} value={p.value}>
                    {p.label}
                  </option>
                ))}
              </select>
            </label>
            <label>
              Caption mode
              <select value={options.captionMode} onChange={set('captionMode')}>
                {CAPTION_MODES.map((m) => (
                  <option key={m.value} value={m.value}>
                    {m.label}
                  </option>
                ))}
              </select>
            </label>
            <label>
              Output width (px)
              <input
                type="number"
                min={LIMITS.outputSide.min}
                max={LIMITS.outputSide.max}
                value={options.outputWidth}
                onChange={set('outputWidth')}
                placeholder="the source's"
              />
            </label>
            <label>
              Output height (px)
              <input
                type="number"
                min={LIMITS.outputSide.min}
                max={LIMITS.outputSide.max}
                value={options.outputHeight}
                onChange={set('outputHeight')}
                placeholder="the source's"
              />
            </label>
          </div>
        </details>
        {error ? (
          <p role="alert" className="error">
            {error}
          </p>
        ) : null}
        <p aria-live="polite" className="help">
          {busy}
        </p>
        <button type="submit" disabled={busy !== null}>
          Start the edit
        </button>
      </form>
    </section>
  );
}
