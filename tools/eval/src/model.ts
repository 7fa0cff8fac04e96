import type { Provenance } from './provenance';

/** The metrics of one frame as the platform serves them (`FrameMetrics`); null where not measured. */
export interface FrameMetrics {
  lpips: number | null;
  clipI: number | null;
  clipScore: number | null;
  targetLpips: number | null;
  targetClipI: number | null;
  ssim: number | null;
  psnr: number | null;
}

/** Every `FrameMetrics` field the evaluation asks for; the first five are the paper's. */
export const METRIC_FIELDS = [
  'lpips',
  'clipI',
  'clipScore',
  'targetLpips',
  'targetClipI',
  'ssim',
  'psnr',
] as const;
export type MetricField = (typeof METRIC_FIELDS)[number];
/** The learned metrics the paper's tables are made of. */
export const PAPER_METRIC_FIELDS: readonly MetricField[] = [
  'lpips',
  'clipI',
  'clipScore',
  'targetLpips',
  'targetClipI',
];

/** The evaluated edit's result image, in the terms of the paper's tables. */
export interface ResultMetrics {
  /** LPIPS(result, source) ↓ */
  sourceLpips: number | null;
  /** CLIP-I(result, source) ↑ */
  sourceClipI: number | null;
  /** LPIPS(result, ground truth) ↓; null without a ground truth. */
  targetLpips: number | null;
  /** CLIP-I(result, ground truth) ↑; null without a ground truth. */
  targetClipI: number | null;
  /** CLIP score(result, target caption) ↑ */
  clip: number | null;
  /**
   * LPIPS with images in [0, 1] (paper-comparable) against source and ground truth, at 512×512:
   * set when the result was re-scored with the platform's scoreImages (then sourceLpips and
   * targetLpips are that call's 512×512 [-1, 1] values too); absent otherwise.
   */
  sourceLpipsPaperRange?: number | null;
  targetLpipsPaperRange?: number | null;
  /** The LPIPS size of that scoring. */
  lpipsSize?: number | null;
  ssim: number | null;
  psnr: number | null;
}

export type Outcome = 'EDITED' | 'NO_EDIT' | 'FAILED' | 'CANCELLED' | 'TIMEOUT' | 'REJECTED';

/** One edit of the evaluation: one dataset item × variant × seed. */
export interface RunResult {
  itemId: string;
  variant: string;
  seed: number;
  hasGroundTruth: boolean;
  /** The platform's edit id; null when createEdit itself was refused. */
  editId: string | null;
  /** The edit's last status as the platform reported it (or TIMEOUT / REJECTED). */
  status: string;
  outcome: Outcome;
  selectedCandidate: number | null;
  selectedIndex: number | null;
  /** Frames of candidate 0 (the path's length); null when unknown. */
  frameCount: number | null;
  /** Null unless the outcome is EDITED or NO_EDIT. */
  metrics: ResultMetrics | null;
  failureCode: string | null;
  failureReason: string | null;
  durationMs: number;
  /** The learned metrics' model set that measured the result (FrameMetrics.models), when served. */
  metricModels?: string | null;
  /** How the edit was made (generator, caption, selection), when the platform serves it. */
  provenance?: Provenance | null;
}

/** Model sets whose networks have random weights (the platform's test fixtures): their scores mean nothing. */
export const isRandomModelSet = (id: string): boolean => id.startsWith('fixture-') || id.includes('-random-');

export const isCompleted = (r: RunResult): boolean => r.outcome === 'EDITED' || r.outcome === 'NO_EDIT';
