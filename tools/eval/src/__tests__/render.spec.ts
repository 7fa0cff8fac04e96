import { summarize } from '../aggregate';
import { csvField, ITEMS_CSV_HEADER, renderItemsCsv, renderMarkdown, renderResultsCsv } from '../render';
import { F2F, TARGET_CAPTION } from '../variants';
import { makeFailedRun, makeMetrics, makeRun } from './factories';

const results = [
  makeRun({
    itemId: 'a',
    hasGroundTruth: true,
    metricModels: 'full-trained-x',
    metrics: makeMetrics({ sourceLpips: 0.2149, targetLpips: 0.15, targetClipI: 0.84 }),
  }),
  makeRun({ itemId: 'b', metrics: makeMetrics({ sourceLpips: 0.1 }) }),
  makeRun({
    itemId: 'a',
    variant: TARGET_CAPTION.name,
    hasGroundTruth: true,
    metrics: makeMetrics({ targetLpips: 0.2, targetClipI: 0.8 }),
  }),
  makeFailedRun({ itemId: 'b', variant: TARGET_CAPTION.name, failureReason: 'stage | with, "quotes"' }),
];

describe('renderMarkdown', () => {
  it('renders Table 2 with two decimals, counts, the column notes and every failure', () => {
    const md = renderMarkdown(
      summarize(results, [F2F, TARGET_CAPTION], { items: 2, itemsWithGroundTruth: 1 }, 1),
    );
    const lines = md.split('\n');
    expect(lines[0]).toBe(
      '| Variant | Source LPIPS↓ | Source CLIP-I↑ | Target LPIPS↓ | Target CLIP-I↑ | Target CLIP↑ | Completed | No edit | Failed |',
    );
    expect(lines[2]).toBe('| F2F | 0.16 | 0.90 | 0.15 | 0.84 | 0.30 | 2/2 | 0 | 0 |');
    expect(lines[3]).toBe('| Target caption | 0.20 | 0.90 | 0.20 | 0.80 | 0.30 | 1/2 | 0 | 1 |');
    expect(md).toContain('over the 1 of 2 items that have one');
    expect(md).toContain('### Failures (1)');
    expect(md).toContain(
      '| Target caption | b | 0 | edit-1 | FAILED | GENERATION_FAILED | stage \\| with, "quotes" |',
    );
  });

  it('renders Table 1 without target columns when no item has a ground truth, n/a for missing metrics', () => {
    const runs = [makeRun({ metrics: makeMetrics({ sourceLpips: null }) })];
    const md = renderMarkdown(summarize(runs, [F2F], { items: 1, itemsWithGroundTruth: 0 }, 1), {
      missingMetrics: ['lpips'],
    });
    expect(md.split('\n')[0]).toBe(
      '| Variant | Source LPIPS↓ | Source CLIP-I↑ | Target CLIP↑ | Completed | No edit | Failed |',
    );
    expect(md.split('\n')[2]).toBe('| F2F | n/a | 0.90 | 0.30 | 1/1 | 0 | 0 |');
    expect(md).toContain('the platform does not serve lpips');
    expect(md).not.toContain('Failures');
    expect(md).not.toContain('Learned metrics');
  });

  it('names the model set, and warns loudly when it has random weights', () => {
    const md = renderMarkdown(
      summarize(
        [makeRun({ metricModels: 'fixture-tiny-random-abc' })],
        [F2F],
        { items: 1, itemsWithGroundTruth: 0 },
        1,
      ),
    );
    expect(md).toContain('Learned metrics measured with fixture-tiny-random-abc.');
    expect(md).toContain(
      '**WARNING: fixture-tiny-random-abc is a random-weight test model set; these scores mean nothing.**',
    );
    const real = renderMarkdown(
      summarize([makeRun({ metricModels: 'full-1a2b' })], [F2F], { items: 1, itemsWithGroundTruth: 0 }, 1),
    );
    expect(real).toContain('Learned metrics measured with full-1a2b.');
    expect(real).not.toContain('WARNING');
  });

  it('labels best-of-seeds rows', () => {
    const runs = [makeRun({ seed: 0 }), makeRun({ seed: 1, metrics: makeMetrics({ clip: 0.9 }) })];
    const md = renderMarkdown(summarize(runs, [F2F], { items: 1, itemsWithGroundTruth: 0 }, 2));
    expect(md).toContain('| F2F (best of 2 seeds by CLIP) | 0.20 | 0.90 | 0.90 | 2/2 | 0 | 0 |');
    expect(md).toContain('| F2F | 0.20 | 0.90 | 0.60 | 2/2 | 0 | 0 |');
  });
});

describe('CSV', () => {
  it('quotes fields with commas, quotes and line breaks', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "x"')).toBe('"say ""x"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField(null)).toBe('');
    expect(csvField(0.123456789)).toBe('0.123456789');
  });

  it('writes one results row per variant at full precision', () => {
    const csv = renderResultsCsv(
      summarize(results, [F2F, TARGET_CAPTION], { items: 2, itemsWithGroundTruth: 1 }, 1),
    );
    const rows = csv.trim().split('\n');
    expect(rows).toHaveLength(3);
    expect(rows[0]).toBe(
      'variant,aggregation,caption_mode,selection,runs,completed,no_edit,failed,items,items_with_ground_truth,source_lpips,source_clip_i,target_lpips,target_clip_i,clip_score,stand_ins,generators,captions,selection_policies,caption_fallbacks,selection_fallbacks,metric_model_sets,source_lpips_paper_range,target_lpips_paper_range',
    );
    expect(rows[1]).toBe(
      `F2F,mean,TEMPORAL,VLM,2,2,0,0,2,1,${(0.2149 + 0.1) / 2},0.9,0.15,0.84,0.3,,unknown ×2,unknown ×2,unknown ×2,0,0,"full-trained-x ×1, unknown ×1",,`,
    );
    expect(rows[2]).toBe(
      'Target caption,mean,TARGET,VLM,2,1,0,1,1,1,0.2,0.9,0.2,0.8,0.3,,unknown ×1,unknown ×1,unknown ×1,0,0,unknown ×1,,',
    );
  });

  it('writes one items row per run, failures included with their reason', () => {
    const rows = renderItemsCsv(results).trim().split('\n');
    expect(rows[0]).toBe(ITEMS_CSV_HEADER.join(','));
    expect(rows).toHaveLength(5);
    expect(rows[1]).toBe(
      'a,F2F,0,edit-1,COMPLETED,EDITED,true,0,12,49,0.2149,0.9,0.15,0.84,0.3,0.8,25,,,1000,full-trained-x,,,,,,,,,,,',
    );
    expect(rows[4]).toBe(
      'b,Target caption,0,edit-1,FAILED,FAILED,false,,,49,,,,,,,,GENERATION_FAILED,"stage | with, ""quotes""",1000,,,,,,,,,,,,',
    );
  });
});
