import { isRandomModelSet, type RunResult } from './model';
import type { Variant } from './variants';

/** How one edit was made, as the platform recorded it (read back with the edit's result). */
export interface Provenance {
  /** The video model the edit asked for (Edit.options.model). */
  model: string | null;
  /** What generated the video (video.generated's `generator`: a worker's model, or the preview generator). */
  generator: string | null;
  /** Where the temporal caption came from: vlm, template or target (TemporalCaption.provenance). */
  captionProvenance: string | null;
  /** The in-context example set: project, paper-figures or tenant; null when no VLM was asked. */
  exampleSet: string | null;
  promptVersion: string | null;
  /** Why the caption fell back to the template, when it did. */
  captionFallback: string | null;
  /** The policy that decided (SelectionDecision.policy): vlm, last-frame or metric. */
  selectionPolicy: string | null;
  /** Why the policy asked for could not decide, when it fell back to the last frame. */
  selectionFallback: string | null;
}

/** The kinds of stand-in that make a row's numbers something other than the method's. */
export type StandInKind =
  'preview-generator' | 'template-caption' | 'last-frame-fallback' | 'random-metric-networks';

export interface StandIn {
  kind: StandInKind;
  /** Completed edits of the row that used it. */
  count: number;
  /** What it was, e.g. the generator's name or the fallback reasons. */
  details: string[];
}

/** Short names for row labels. */
export const STAND_IN_LABEL: Record<StandInKind, string> = {
  'preview-generator': 'preview generator',
  'template-caption': 'template captions',
  'last-frame-fallback': 'last-frame fallback',
  'random-metric-networks': 'random-weight metric networks',
};

/** The preview generator's names (services/preview-generator): a deterministic renderer, not a model. */
export const isPreviewGenerator = (p: Provenance): boolean =>
  p.model === 'preview' || /preview|not a model/i.test(p.generator ?? '');

/** The stand-ins one completed edit of `variant` used. */
export function standInsOfRun(run: RunResult, variant: Variant): { kind: StandInKind; detail: string }[] {
  const found: { kind: StandInKind; detail: string }[] = [];
  const p = run.provenance;
  if (p && isPreviewGenerator(p))
    found.push({ kind: 'preview-generator', detail: p.generator ?? p.model ?? '' });
  if (p && variant.captionMode === 'TEMPORAL' && p.captionProvenance === 'template')
    found.push({ kind: 'template-caption', detail: p.captionFallback ?? 'template caption' });
  if (p && variant.selection === 'VLM' && p.selectionPolicy !== null && p.selectionPolicy !== 'vlm')
    found.push({
      kind: 'last-frame-fallback',
      detail: p.selectionFallback ?? `decided by ${p.selectionPolicy}`,
    });
  if (run.metricModels && isRandomModelSet(run.metricModels))
    found.push({ kind: 'random-metric-networks', detail: run.metricModels });
  return found;
}

/** Every stand-in among a row's runs, with how many runs used it. */
export function standInsOf(runs: readonly RunResult[], variant: Variant): StandIn[] {
  const byKind = new Map<StandInKind, StandIn>();
  for (const run of runs) {
    for (const { kind, detail } of standInsOfRun(run, variant)) {
      const entry = byKind.get(kind) ?? { kind, count: 0, details: [] };
      entry.count++;
      if (detail && !entry.details.includes(detail)) entry.details.push(detail);
      byKind.set(kind, entry);
    }
  }
  const order = Object.keys(STAND_IN_LABEL) as StandInKind[];
  return [...byKind.values()].sort((a, b) => order.indexOf(a.kind) - order.indexOf(b.kind));
}

/** Counts of each value among the runs ("vlm ×3, template ×1"); nulls count as "unknown". */
export function tally(values: readonly (string | null | undefined)[]): string {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v ?? 'unknown', (counts.get(v ?? 'unknown') ?? 0) + 1);
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([v, n]) => `${v} ×${n}`)
    .join(', ');
}

/** A row's provenance in words: generator and model, captions, selection, fallbacks, metric models. */
export interface RowProvenance {
  generator: string;
  caption: string;
  exampleSets: string;
  selection: string;
  captionFallbacks: number;
  selectionFallbacks: number;
  metricModels: string;
}

export function rowProvenance(runs: readonly RunResult[]): RowProvenance {
  const p = runs.map((r) => r.provenance ?? null);
  const both = (x: Provenance | null) =>
    x === null ? null : `${x.generator ?? 'unknown generator'} (model ${x.model ?? 'unknown'})`;
  return {
    generator: tally(p.map(both)),
    caption: tally(
      p.map((x) => (x ? [x.captionProvenance, x.promptVersion].filter(Boolean).join(' ') : null)),
    ),
    exampleSets: tally(p.filter((x) => x?.exampleSet).map((x) => x!.exampleSet)),
    selection: tally(p.map((x) => x?.selectionPolicy)),
    captionFallbacks: p.filter((x) => x?.captionFallback).length,
    selectionFallbacks: p.filter((x) => x?.selectionFallback).length,
    metricModels: tally(runs.map((r) => r.metricModels)),
  };
}

/** The in-context example set whose examples come from TEdBench result figures (paper S7, S8). */
export const PAPER_FIGURES_EXAMPLE_SET = 'paper-figures';
