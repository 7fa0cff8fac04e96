import { isCompleted, type ResultMetrics, type RunResult } from './model';
import { type RowProvenance, rowProvenance, type StandIn, standInsOf } from './provenance';
import type { Variant } from './variants';

export type Aggregation = 'mean' | 'best-clip';

/** The paper's metric columns of a row; null where no run has the metric. */
export type RowMetrics = Pick<
  ResultMetrics,
  'sourceLpips' | 'sourceClipI' | 'targetLpips' | 'targetClipI' | 'clip'
> & { sourceLpipsPaperRange?: number | null; targetLpipsPaperRange?: number | null };
const ROW_METRICS: (keyof RowMetrics)[] = [
  'sourceLpips',
  'sourceClipI',
  'targetLpips',
  'targetClipI',
  'clip',
  'sourceLpipsPaperRange',
  'targetLpipsPaperRange',
];

/** One row of the table: a variant, aggregated one way. */
export interface SummaryRow {
  variant: Variant;
  aggregation: Aggregation;
  /** Edits submitted for the variant (items × seeds). */
  runs: number;
  completed: number;
  /** Completed edits whose result is the source image (in best-clip rows: chosen results). */
  noEdit: number;
  /** Runs that did not complete: failed, cancelled, timed out, refused or unmeasured. */
  failed: number;
  /** Items in the means: at least one completed run. */
  items: number;
  /** Of those, items with a ground-truth image: the target LPIPS / CLIP-I columns are over these. */
  itemsWithGroundTruth: number;
  metrics: RowMetrics;
  /** How the row's completed edits were made. */
  provenance: RowProvenance;
  /** Stand-ins among them (preview generator, template captions, fallbacks, random networks). */
  standIns: StandIn[];
}

export interface Summary {
  /** 'table2' when any dataset item has a ground truth (the PosEdit form), else 'table1' (TEdBench). */
  form: 'table1' | 'table2';
  rows: SummaryRow[];
  failures: RunResult[];
  datasetItems: number;
  datasetItemsWithGroundTruth: number;
  seeds: number;
  /** The learned metrics' model sets the results were measured with (one, normally). */
  metricModels: string[];
  /** The LPIPS size of scoreImages when results were re-scored by it; null when they were not. */
  rescoredLpipsSize: number | null;
}

export const mean = (values: number[]): number | null =>
  values.length === 0 ? null : values.reduce((a, b) => a + b, 0) / values.length;

function meanOfMetrics(list: RowMetrics[]): RowMetrics {
  const out = {} as RowMetrics;
  for (const key of ROW_METRICS) {
    const value = mean(list.map((m) => m[key]).filter((v): v is number => typeof v === 'number'));
    // The paper-range LPIPS exists only for re-scored results: absent rather than null otherwise.
    if (value !== null || !key.endsWith('PaperRange')) out[key] = value;
  }
  return out;
}

function groupByItem(results: RunResult[]): Map<string, RunResult[]> {
  const byItem = new Map<string, RunResult[]>();
  for (const r of results) byItem.set(r.itemId, [...(byItem.get(r.itemId) ?? []), r]);
  return byItem;
}

/**
 * The table's rows. Per variant, 'mean': each item's metrics are averaged over its completed seeds,
 * then the items are averaged (so an item counts once however many seeds completed). With more
 * than one seed, a 'best-clip' row per variant keeps, per item, the completed seed with the highest
 * CLIP score (ties: the lowest seed), the automatic stand-in for the paper's manual best-of-seeds.
 * Runs that did not complete are counted in `failed` and listed in `failures`, never averaged.
 */
export function summarize(
  results: RunResult[],
  variants: Variant[],
  dataset: { items: number; itemsWithGroundTruth: number },
  seeds: number,
): Summary {
  const rows: SummaryRow[] = [];
  for (const variant of variants) {
    const own = results.filter((r) => r.variant === variant.name);
    const completed = own.filter(isCompleted);
    const byItem = groupByItem(completed);
    const counts = {
      variant,
      runs: own.length,
      completed: completed.length,
      failed: own.length - completed.length,
      items: byItem.size,
      itemsWithGroundTruth: [...byItem.values()].filter((runs) => runs[0]!.hasGroundTruth).length,
      provenance: rowProvenance(completed),
      standIns: standInsOf(completed, variant),
    };
    const perItem = [...byItem.values()].map((runs) => meanOfMetrics(runs.map((r) => r.metrics!)));
    rows.push({
      ...counts,
      aggregation: 'mean',
      noEdit: completed.filter((r) => r.outcome === 'NO_EDIT').length,
      metrics: meanOfMetrics(perItem),
    });
    if (seeds > 1 && variant.candidates === undefined) {
      const best = [...byItem.values()].map(
        (runs) =>
          [...runs].sort(
            (a, b) => (b.metrics!.clip ?? -Infinity) - (a.metrics!.clip ?? -Infinity) || a.seed - b.seed,
          )[0]!,
      );
      rows.push({
        ...counts,
        aggregation: 'best-clip',
        noEdit: best.filter((r) => r.outcome === 'NO_EDIT').length,
        metrics: meanOfMetrics(best.map((r) => r.metrics!)),
      });
    }
  }
  return {
    form: dataset.itemsWithGroundTruth > 0 ? 'table2' : 'table1',
    rows,
    failures: results.filter((r) => !isCompleted(r)),
    datasetItems: dataset.items,
    datasetItemsWithGroundTruth: dataset.itemsWithGroundTruth,
    seeds,
    metricModels: [...new Set(results.map((r) => r.metricModels).filter((m): m is string => !!m))].sort(),
    rescoredLpipsSize:
      results.find((r) => typeof r.metrics?.lpipsSize === 'number')?.metrics?.lpipsSize ?? null,
  };
}
