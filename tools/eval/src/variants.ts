/** The platform options a variant of the method sets (CreateEditInput.options). */
export interface Variant {
  /** The row label, as in the paper's tables. */
  name: string;
  captionMode: 'TEMPORAL' | 'TARGET';
  selection: 'VLM' | 'LAST_FRAME' | 'METRIC';
  /** The paper table the row belongs to. */
  paperTable: string;
  /**
   * Set for "best of N seeds by the VLM": one edit per item with N candidates (seeds first..first+N-1),
   * the VLM choosing across them; unset: one edit per seed, each with --candidates videos.
   */
  candidates?: number;
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

/** The platform's METRIC policy instead of the VLM (not in the paper): CLIP-score plateau under an LPIPS bound. */
export const METRIC_SELECTION: Variant = {
  name: 'F2F (METRIC selection)',
  captionMode: 'TEMPORAL',
  selection: 'METRIC',
  paperTable: 'not in the paper',
};

/** The paper's manual best-of-seeds, automated: the VLM chooses across N candidate videos of one edit. */
export const bestByVlm = (seeds: number): Variant => ({
  name: `F2F (best of ${seeds} seeds by the VLM)`,
  captionMode: 'TEMPORAL',
  selection: 'VLM',
  paperTable: 'Tables 1, 2 (the paper chose by hand)',
  candidates: seeds,
});

export const ABLATIONS = ['none', 'caption', 'selection', 'metric', 'all'] as const;
export type Ablation = (typeof ABLATIONS)[number];

/** F2F always, then the ablation rows asked for, then best-of-seeds by the VLM when asked (seeds > 1). */
export function variantsFor(ablation: Ablation, bestByVlmSeeds: number | null = null): Variant[] {
  const extra = bestByVlmSeeds !== null && bestByVlmSeeds > 1 ? [bestByVlm(bestByVlmSeeds)] : [];
  switch (ablation) {
    case 'none':
      return [F2F, ...extra];
    case 'caption':
      return [F2F, TARGET_CAPTION, ...extra];
    case 'selection':
      return [F2F, LAST_FRAME, ...extra];
    case 'metric':
      return [F2F, METRIC_SELECTION, ...extra];
    case 'all':
      return [F2F, TARGET_CAPTION, LAST_FRAME, METRIC_SELECTION, ...extra];
  }
}
