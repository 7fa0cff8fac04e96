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
            <NumberField
              label="Seed"
              limits={LIMITS.seed}
              value={options.seed}
              onChange={set('seed')}
              placeholder="random"
            />
            <NumberField
              label="Candidates (videos from different seeds)"
              limits={LIMITS.candidates}
              value={options.candidates}
              onChange={set('candidates')}
            />
            <ChoiceField
              label="Selection policy"
              choices={SELECTION_POLICIES}
              value={options.selection}
              onChange={set('selection')}
            />
            <ChoiceField
              label="Caption mode"
              choices={CAPTION_MODES}
              value={options.captionMode}
              onChange={set('captionMode')}
            />
            <NumberField
              label="Output width (px)"
              limits={LIMITS.outputSide}
              value={options.outputWidth}
              onChange={set('outputWidth')}
              placeholder="the source's"
            />
            <NumberField
              label="Output height (px)"
              limits={LIMITS.outputSide}
              value={options.outputHeight}
              onChange={set('outputHeight')}
              placeholder="the source's"
            />
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

type FieldChange = (e: { target: { value: string } }) => void;

/** A labelled number input bounded by the API's limits. */
function NumberField(props: {
  label: string;
  limits: { min: number; max: number };
  value: string;
  onChange: FieldChange;
  placeholder?: string;
}) {
  return (
    <label>
      {props.label}
      <input
        type="number"
        min={props.limits.min}
        max={props.limits.max}
        value={props.value}
        onChange={props.onChange}
        placeholder={props.placeholder}
      />
    </label>
  );
}

/** A labelled select over the API's enum values. */
function ChoiceField(props: {
  label: string;
  choices: readonly { value: string; label: string }[];
  value: string;
  onChange: FieldChange;
}) {
  return (
    <label>
      {props.label}
      <select value={props.value} onChange={props.onChange}>
        {props.choices.map((c) => (
          <option key={c.value} value={c.value}>
            {c.label}
          </option>
        ))}
      </select>
    </label>
  );
}
