// The API's limits for createEdit's options (libs/contracts generationOptionsSchema); the API checks
// them again and its message is shown when it refuses.
export const LIMITS = {
  seed: { min: 0, max: 2 ** 31 - 9 },
  candidates: { min: 1, max: 8 },
  outputSide: { min: 16, max: 4096 },
} as const;

export const SELECTION_POLICIES = [
  { value: 'VLM', label: 'VLM (the paper: earliest frame that fulfils the edit)' },
  { value: 'METRIC', label: 'Metric (CLIP score plateau under an LPIPS bound)' },
  { value: 'LAST_FRAME', label: 'Last frame' },
] as const;

export const CAPTION_MODES = [
  { value: 'TEMPORAL', label: 'Temporal caption written by a VLM' },
  { value: 'TARGET', label: 'Target caption as it is' },
] as const;

export interface AdvancedOptions {
  seed: string;
  candidates: string;
  selection: string;
  captionMode: string;
  outputWidth: string;
  outputHeight: string;
}

export const defaultAdvanced: AdvancedOptions = {
  seed: '',
  candidates: '1',
  selection: 'VLM',
  captionMode: 'TEMPORAL',
  outputWidth: '',
  outputHeight: '',
};

/** The form's options as createEdit's EditOptionsInput (empty fields: the API's defaults). */
export function toOptionsInput(o: AdvancedOptions) {
  const int = (v: string) => (v.trim() === '' ? undefined : Number(v));
  return {
    seed: int(o.seed),
    candidates: int(o.candidates),
    selection: o.selection as 'VLM' | 'METRIC' | 'LAST_FRAME',
    captionMode: o.captionMode as 'TEMPORAL' | 'TARGET',
    outputWidth: int(o.outputWidth),
    outputHeight: int(o.outputHeight),
  };
}
