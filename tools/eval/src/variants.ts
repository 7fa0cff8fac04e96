/** The platform options a variant of the method sets (CreateEditInput.options). */
export interface Variant {
  /** The row label, as in the paper's tables. */
  name: string;
  captionMode: 'TEMPORAL' | 'TARGET';
  selection: 'VLM' | 'LAST_FRAME';
  /** The paper table the row belongs to. */
  paperTable: string;
}

export const F2F: Variant = {
  name: 'F2F',
  captionMode: 'TEMPORAL',
  selection: 'VLM',
  paperTable: 'Tables 1, 2',
};
/** Table S4: the target caption as the video prompt instead of the temporal editing caption. */
export const TARGET_CAPTION: Variant = {
  name: 'Target caption',
  captionMode: 'TARGET',
  selection: 'VLM',
  paperTable: 'Table S4',
};
/** Table S5: the video's last frame instead of the VLM's selection. */
export const LAST_FRAME: Variant = {
  name: 'Last frame',
  captionMode: 'TEMPORAL',
  selection: 'LAST_FRAME',
  paperTable: 'Table S5',
};

export const ABLATIONS = ['none', 'caption', 'selection', 'all'] as const;
export type Ablation = (typeof ABLATIONS)[number];

/** F2F always, then the ablation rows asked for. */
export function variantsFor(ablation: Ablation): Variant[] {
  switch (ablation) {
    case 'none':
      return [F2F];
    case 'caption':
      return [F2F, TARGET_CAPTION];
    case 'selection':
      return [F2F, LAST_FRAME];
    case 'all':
      return [F2F, TARGET_CAPTION, LAST_FRAME];
  }
}
