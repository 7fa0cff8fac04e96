import { summarize } from '../aggregate';
import { F2F, LAST_FRAME } from '../variants';
import { makeFailedRun, makeMetrics, makeRun } from './factories';

const dataset = { items: 2, itemsWithGroundTruth: 1 };

describe('summarize', () => {
  it('averages each item over its seeds, then the items, so every item weighs the same', () => {
    const results = [
      makeRun({ itemId: 'a', seed: 0, metrics: makeMetrics({ sourceLpips: 0.1, clip: 0.2 }) }),
      makeRun({ itemId: 'a', seed: 1, metrics: makeMetrics({ sourceLpips: 0.3, clip: 0.4 }) }),
      makeRun({ itemId: 'b', seed: 0, metrics: makeMetrics({ sourceLpips: 0.5, clip: 0.6 }) }),
      makeFailedRun({ itemId: 'b', seed: 1 }),
    ];
    const [mean, best] = summarize(results, [F2F], dataset, 2).rows;
    expect(mean!.aggregation).toBe('mean');
    // item a: 0.2 / 0.3, item b: 0.5 / 0.6 (its failed seed is not averaged)
    expect(mean!.metrics.sourceLpips).toBeCloseTo(0.35);
    expect(mean!.metrics.clip).toBeCloseTo(0.45);
    expect([mean!.runs, mean!.completed, mean!.failed, mean!.items]).toEqual([4, 3, 1, 2]);
    // best by CLIP: item a seed 1 (0.4), item b seed 0 (0.6)
    expect(best!.aggregation).toBe('best-clip');
    expect(best!.metrics.sourceLpips).toBeCloseTo(0.4);
    expect(best!.metrics.clip).toBeCloseTo(0.5);
  });

  it('takes target metrics over the items with a ground truth only, and picks the table form from the dataset', () => {
    const results = [
      makeRun({
        itemId: 'a',
        hasGroundTruth: true,
        metrics: makeMetrics({ targetLpips: 0.3, targetClipI: 0.7 }),
      }),
      makeRun({ itemId: 'b', metrics: makeMetrics() }),
    ];
    const summary = summarize(results, [F2F], dataset, 1);
    expect(summary.form).toBe('table2');
    expect(summary.rows).toHaveLength(1);
    expect(summary.rows[0]!.metrics).toMatchObject({ targetLpips: 0.3, targetClipI: 0.7, sourceLpips: 0.2 });
    expect(summary.rows[0]!.itemsWithGroundTruth).toBe(1);
    expect(summarize(results, [F2F], { items: 2, itemsWithGroundTruth: 0 }, 1).form).toBe('table1');
  });

  it('averages no-edit results (the source image) in, and counts them per variant', () => {
    const results = [
      makeRun({ itemId: 'a', metrics: makeMetrics({ sourceLpips: 0.4, sourceClipI: 0.8 }) }),
      makeRun({
        itemId: 'b',
        outcome: 'NO_EDIT',
        selectedIndex: null,
        metrics: makeMetrics({ sourceLpips: 0, sourceClipI: 1, clip: 0.2 }),
      }),
      makeRun({ itemId: 'a', variant: LAST_FRAME.name, selectedIndex: 48 }),
      makeRun({ itemId: 'b', variant: LAST_FRAME.name, selectedIndex: 48 }),
    ];
    const [f2f, last] = summarize(results, [F2F, LAST_FRAME], dataset, 1).rows;
    expect(f2f!.noEdit).toBe(1);
    expect(f2f!.metrics.sourceLpips).toBeCloseTo(0.2);
    expect(f2f!.metrics.sourceClipI).toBeCloseTo(0.9);
    expect(f2f!.metrics.clip).toBeCloseTo(0.25);
    expect(last!.variant).toBe(LAST_FRAME);
    expect(last!.noEdit).toBe(0);
  });

  it('lists every run that did not complete and leaves a variant with none completed empty, not zero', () => {
    const results = [
      makeFailedRun({ itemId: 'a' }),
      makeFailedRun({ itemId: 'b', outcome: 'TIMEOUT', status: 'TIMEOUT' }),
      makeRun({ itemId: 'a', variant: LAST_FRAME.name }),
    ];
    const summary = summarize(results, [F2F, LAST_FRAME], dataset, 1);
    expect(summary.failures.map((f) => [f.variant, f.itemId, f.outcome])).toEqual([
      ['F2F', 'a', 'FAILED'],
      ['F2F', 'b', 'TIMEOUT'],
    ]);
    expect(summary.rows[0]!.metrics).toEqual({
      sourceLpips: null,
      sourceClipI: null,
      targetLpips: null,
      targetClipI: null,
      clip: null,
    });
    expect([summary.rows[0]!.failed, summary.rows[0]!.items]).toEqual([2, 0]);
    expect([summary.rows[1]!.failed, summary.rows[1]!.items]).toEqual([0, 1]);
  });
});
