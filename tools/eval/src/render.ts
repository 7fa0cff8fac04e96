import type { RowMetrics, Summary, SummaryRow } from './aggregate';
import { isRandomModelSet, type RunResult } from './model';
import { PAPER_FIGURES_EXAMPLE_SET, STAND_IN_LABEL } from './provenance';

interface Column {
  header: string;
  key: keyof RowMetrics;
}

const TABLE1: Column[] = [
  { header: 'Source LPIPS↓', key: 'sourceLpips' },
  { header: 'Source CLIP-I↑', key: 'sourceClipI' },
  { header: 'Target CLIP↑', key: 'clip' },
];
const TABLE2: Column[] = [
  { header: 'Source LPIPS↓', key: 'sourceLpips' },
  { header: 'Source CLIP-I↑', key: 'sourceClipI' },
  { header: 'Target LPIPS↓', key: 'targetLpips' },
  { header: 'Target CLIP-I↑', key: 'targetClipI' },
  { header: 'Target CLIP↑', key: 'clip' },
];

/** With re-scored results, the paper-comparable LPIPS columns (†) too. */
export const columnsOf = (summary: Summary): Column[] => {
  const base = summary.form === 'table2' ? TABLE2 : TABLE1;
  if (summary.rescoredLpipsSize === null) return base;
  return [
    ...base,
    { header: 'Source LPIPS↓ †', key: 'sourceLpipsPaperRange' },
    ...(summary.form === 'table2'
      ? [{ header: 'Target LPIPS↓ †', key: 'targetLpipsPaperRange' as const }]
      : []),
  ];
};

/** The row's label; a row made with stand-ins (only printed with --allow-stand-ins) names them. */
export function rowLabel(row: SummaryRow, seeds: number): string {
  const name =
    row.aggregation === 'best-clip'
      ? `${row.variant.name} (best of ${seeds} seeds by CLIP)`
      : row.variant.name;
  return row.standIns.length === 0
    ? name
    : `${name} [STAND-IN: ${row.standIns.map((s) => STAND_IN_LABEL[s.kind]).join(', ')}]`;
}

/** One line per row: how its edits were made (the platform's own records). */
function provenanceNotes(summary: Summary): string[] {
  const notes: string[] = [];
  for (const row of summary.rows) {
    if (row.aggregation !== 'mean') continue;
    const p = row.provenance;
    const standIns = row.standIns.map(
      (s) =>
        `${STAND_IN_LABEL[s.kind]} in ${s.count} edit(s)${s.details.length ? ` (${s.details.join('; ')})` : ''}`,
    );
    notes.push(
      `${row.variant.name}: generator ${p.generator || 'unknown'}; caption ${p.caption || 'unknown'}` +
        `${p.exampleSets ? ` (examples ${p.exampleSets})` : ''}; selection ${p.selection || 'unknown'}; ` +
        `fallbacks: ${p.captionFallbacks} caption, ${p.selectionFallbacks} selection; metric models ${p.metricModels || 'unknown'}` +
        `${standIns.length ? `. Stand-ins: ${standIns.join(', ')}` : ''}.`,
    );
  }
  return notes;
}

/** The paper-figures in-context examples are TEdBench results (S7, S8): on TEdBench they leak answers. */
function exampleSetWarning(summary: Summary): string[] {
  const used = summary.rows.some((r) => r.provenance.exampleSets.includes(PAPER_FIGURES_EXAMPLE_SET));
  if (!used) return [];
  return [
    `**WARNING: captions were written with the paper-figures example set, 6 of whose 9 examples are TEdBench results (paper Figures S7, S8): on TEdBench (or any set holding those images) the prompt contains answers. Use the default (project) example set for TEdBench numbers.**`,
  ];
}

/** Two decimals like the paper; "n/a" where the platform gave no value. */
const fixed = (v: number | null | undefined): string =>
  v === null || v === undefined ? 'n/a' : v.toFixed(2);

/** Markdown cells cannot hold a pipe or a line break. */
const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');

export interface RenderContext {
  /** Metrics the platform does not serve (rendered as n/a), empty normally. */
  missingMetrics: string[];
}

/** The paper-style table, a note on what each column is over, and every failure. */
export function renderMarkdown(summary: Summary, ctx: RenderContext = { missingMetrics: [] }): string {
  const columns = columnsOf(summary);
  const headers = ['Variant', ...columns.map((c) => c.header), 'Completed', 'No edit', 'Failed'];
  const lines = [
    `| ${headers.join(' | ')} |`,
    `| --- | ${headers
      .slice(1)
      .map(() => '---:')
      .join(' | ')} |`,
    ...summary.rows.map(
      (row) =>
        `| ${[
          cell(rowLabel(row, summary.seeds)),
          ...columns.map((c) => fixed(row.metrics[c.key])),
          `${row.completed}/${row.runs}`,
          String(row.noEdit),
          String(row.failed),
        ].join(' | ')} |`,
    ),
  ];
  const notes: string[] = [];
  const seeds =
    summary.seeds === 1 ? '1 seed' : `${summary.seeds} seeds (per item: mean over its completed seeds)`;
  notes.push(
    `${summary.datasetItems} items, ${seeds}; means over items. Source metrics and CLIP compare the result with the source image and the target caption.`,
  );
  if (summary.form === 'table2') {
    notes.push(
      `Target LPIPS and CLIP-I compare the result with the ground-truth image, over the ${summary.datasetItemsWithGroundTruth} of ${summary.datasetItems} items that have one; the other columns are over all items.`,
    );
  }
  notes.push(
    'No edit: the selection found no frame that fulfils the edit, so the result is the source image (source LPIPS 0, CLIP-I 1; CLIP score and target metrics of frame 0, which reproduces the source).',
  );
  notes.push(
    'Target CLIP is CLIPScore (Hessel et al. 2021): 2.5 · max(cos, 0) of the CLIP ViT-B/32 image and caption embeddings.',
    summary.rescoredLpipsSize === null
      ? "LPIPS here is the platform's per-frame LPIPS (inputs in [-1, 1], at its model set's size): the platform has no scoreImages to measure at 512×512."
      : `LPIPS: each result, source and ground truth re-scored by the platform's scoreImages at 512×512 (LPIPS network at ${summary.rescoredLpipsSize}×${summary.rescoredLpipsSize}); LPIPS↓ has inputs in [-1, 1] as LPIPS defines it, † inputs in [0, 1], which reproduces the paper's LPIPS figures (paper-comparable).`,
  );
  if (summary.metricModels.length > 0)
    notes.push(`Learned metrics measured with ${summary.metricModels.join(', ')}.`);
  notes.push(...provenanceNotes(summary), ...exampleSetWarning(summary));
  const random = summary.metricModels.filter(isRandomModelSet);
  if (random.length > 0)
    notes.push(
      `**WARNING: ${random.join(', ')} ${random.length > 1 ? 'are' : 'is a'} random-weight test model set; these scores mean nothing.**`,
    );
  if (ctx.missingMetrics.length > 0)
    notes.push(
      `n/a: the platform does not serve ${ctx.missingMetrics.join(', ')}; those columns could not be measured.`,
    );

  const out = [...lines, '', ...notes.map((n) => `- ${n}`)];
  if (summary.failures.length > 0) {
    out.push('', `### Failures (${summary.failures.length})`, '');
    out.push(
      '| Variant | Item | Seed | Edit | Status | Code | Reason |',
      '| --- | --- | ---: | --- | --- | --- | --- |',
    );
    for (const f of summary.failures)
      out.push(
        `| ${[
          f.variant,
          f.itemId,
          String(f.seed),
          f.editId ?? '–',
          f.status,
          f.failureCode ?? '',
          f.failureReason ?? '',
        ]
          .map(cell)
          .join(' | ')} |`,
      );
  }
  return out.join('\n') + '\n';
}

/** RFC 4180: quoted when it holds a comma, a quote or a line break. */
export function csvField(value: string | number | boolean | null): string {
  if (value === null) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

const csv = (rows: (string | number | boolean | null)[][]): string =>
  rows.map((r) => r.map(csvField).join(',')).join('\n') + '\n';

/** One row per table row, full precision. */
export function renderResultsCsv(summary: Summary): string {
  return csv([
    [
      'variant',
      'aggregation',
      'caption_mode',
      'selection',
      'runs',
      'completed',
      'no_edit',
      'failed',
      'items',
      'items_with_ground_truth',
      'source_lpips',
      'source_clip_i',
      'target_lpips',
      'target_clip_i',
      'clip_score',
      'stand_ins',
      'generators',
      'captions',
      'selection_policies',
      'caption_fallbacks',
      'selection_fallbacks',
      'metric_model_sets',
      'source_lpips_paper_range',
      'target_lpips_paper_range',
    ],
    ...summary.rows.map((r) => [
      r.variant.name,
      r.aggregation,
      r.variant.captionMode,
      r.variant.selection,
      r.runs,
      r.completed,
      r.noEdit,
      r.failed,
      r.items,
      r.itemsWithGroundTruth,
      r.metrics.sourceLpips,
      r.metrics.sourceClipI,
      r.metrics.targetLpips,
      r.metrics.targetClipI,
      r.metrics.clip,
      r.standIns.map((x) => `${x.kind}:${x.count}`).join(' '),
      r.provenance.generator,
      r.provenance.caption,
      r.provenance.selection,
      r.provenance.captionFallbacks,
      r.provenance.selectionFallbacks,
      r.provenance.metricModels,
      r.metrics.sourceLpipsPaperRange ?? null,
      r.metrics.targetLpipsPaperRange ?? null,
    ]),
  ]);
}

export const ITEMS_CSV_HEADER = [
  'item_id',
  'variant',
  'seed',
  'edit_id',
  'status',
  'outcome',
  'has_ground_truth',
  'selected_candidate',
  'selected_index',
  'frame_count',
  'source_lpips',
  'source_clip_i',
  'target_lpips',
  'target_clip_i',
  'clip_score',
  'ssim',
  'psnr',
  'failure_code',
  'failure_reason',
  'duration_ms',
  'metric_models',
  'generator',
  'model',
  'caption_provenance',
  'example_set',
  'prompt_version',
  'caption_fallback',
  'selection_policy',
  'selection_fallback',
  'source_lpips_paper_range',
  'target_lpips_paper_range',
  'lpips_size',
] as const;

/** One row per item × variant × seed: the edit, its outcome, the selected frame and every metric. */
export function renderItemsCsv(results: RunResult[]): string {
  return csv([
    [...ITEMS_CSV_HEADER],
    ...results.map((r) => [
      r.itemId,
      r.variant,
      r.seed,
      r.editId,
      r.status,
      r.outcome,
      r.hasGroundTruth,
      r.selectedCandidate,
      r.selectedIndex,
      r.frameCount,
      r.metrics?.sourceLpips ?? null,
      r.metrics?.sourceClipI ?? null,
      r.metrics?.targetLpips ?? null,
      r.metrics?.targetClipI ?? null,
      r.metrics?.clip ?? null,
      r.metrics?.ssim ?? null,
      r.metrics?.psnr ?? null,
      r.failureCode,
      r.failureReason,
      r.durationMs,
      r.metricModels ?? null,
      r.provenance?.generator ?? null,
      r.provenance?.model ?? null,
      r.provenance?.captionProvenance ?? null,
      r.provenance?.exampleSet ?? null,
      r.provenance?.promptVersion ?? null,
      r.provenance?.captionFallback ?? null,
      r.provenance?.selectionPolicy ?? null,
      r.provenance?.selectionFallback ?? null,
      r.metrics?.sourceLpipsPaperRange ?? null,
      r.metrics?.targetLpipsPaperRange ?? null,
      r.metrics?.lpipsSize ?? null,
    ]),
  ]);
}
