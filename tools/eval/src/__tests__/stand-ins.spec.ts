import { summarize } from '../aggregate';
import { provenanceOf } from '../gateway-client';
import { refuseStandIns, StandInError } from '../main';
import type { RunResult } from '../model';
import { type Provenance, standInsOf } from '../provenance';
import { renderMarkdown, rowLabel } from '../render';
import { planTasks } from '../run-eval';
import {
  bestByVlm,
  F2F,
  LAST_FRAME,
  METRIC_SELECTION,
  TARGET_CAPTION,
  type Variant,
  variantsFor,
} from '../variants';
import { makeRun } from './factories';

/** How a clean F2F edit is made: CogVideoX, a VLM caption with the project's examples, VLM selection. */
const clean: Provenance = {
  model: 'cogvideox-5b-i2v',
  generator: 'cogvideox-worker (THUDM/CogVideoX-5b-I2V)',
  captionProvenance: 'vlm',
  exampleSet: 'project',
  promptVersion: 'f2f-b1-v2',
  captionFallback: null,
  selectionPolicy: 'vlm',
  selectionFallback: null,
};
const TRAINED = 'full-trained-0123456789ab';

const runs = (variant: Variant, edit: Partial<Provenance> = {}, metricModels = TRAINED): RunResult[] =>
  ['a', 'b', 'c'].map((itemId, i) =>
    makeRun({
      itemId,
      variant: variant.name,
      metricModels,
      // Only the first item's edit differs from a clean one.
      provenance: i === 0 ? { ...clean, ...edit } : clean,
    }),
  );

const summary = (results: RunResult[], variants: Variant[]) =>
  summarize(results, variants, { items: 3, itemsWithGroundTruth: 0 }, 1);

function refusal(results: RunResult[], variants: Variant[]): string {
  try {
    refuseStandIns(summary(results, variants));
  } catch (error) {
    expect(error).toBeInstanceOf(StandInError);
    return (error as Error).message;
  }
  throw new Error('expected a refusal');
}

describe('rows made with stand-ins', () => {
  it('prints a row whose edits are all the method', () => {
    const s = summary(runs(F2F), [F2F]);
    expect(s.rows[0]!.standIns).toEqual([]);
    expect(() => refuseStandIns(s)).not.toThrow();
    expect(rowLabel(s.rows[0]!, 1)).toBe('F2F');
  });

  it('refuses a row with an edit of the preview generator', () => {
    const message = refusal(runs(F2F, { model: 'preview', generator: 'preview-generator (not a model)' }), [
      F2F,
    ]);
    expect(message).toContain('F2F: preview generator in 1 of 3 edits (preview-generator (not a model))');
    expect(message).toContain('--allow-stand-ins');
  });

  it('refuses a row with a template caption where the VLM was asked to write one', () => {
    const message = refusal(
      runs(F2F, { captionProvenance: 'template', captionFallback: 'VLM failed after 2 call(s): timeout' }),
      [F2F],
    );
    expect(message).toContain('template captions in 1 of 3 edits (VLM failed after 2 call(s): timeout)');
    // The Target-caption ablation asks for no VLM caption: its provenance "target" is the method.
    expect(() =>
      refuseStandIns(summary(runs(TARGET_CAPTION, { captionProvenance: 'target' }), [TARGET_CAPTION])),
    ).not.toThrow();
  });

  it('refuses a row whose VLM selection fell back to the last frame, but not the Last-frame ablation', () => {
    const message = refusal(
      runs(F2F, { selectionPolicy: 'last-frame', selectionFallback: 'no VLM configured' }),
      [F2F],
    );
    expect(message).toContain('last-frame fallback in 1 of 3 edits (no VLM configured)');
    expect(() =>
      refuseStandIns(summary(runs(LAST_FRAME, { selectionPolicy: 'last-frame' }), [LAST_FRAME])),
    ).not.toThrow();
  });

  it('refuses a row measured with random-weight metric networks', () => {
    const message = refusal(runs(F2F, {}, 'fixture-tiny-random-7076e34009dc'), [F2F]);
    expect(message).toContain(
      'random-weight metric networks in 3 of 3 edits (fixture-tiny-random-7076e34009dc)',
    );
    expect(refusal(runs(F2F, {}, 'full-lpips-trained-clip-random-abc'), [F2F])).toContain(
      'random-weight metric networks',
    );
  });

  it('labels each stand-in in the row when allowed, and says how the row was made', () => {
    const results = runs(F2F, {
      model: 'preview',
      generator: 'preview-generator (not a model)',
      captionProvenance: 'template',
    });
    const s = summary(results, [F2F]);
    expect(standInsOf(results, F2F).map((x) => [x.kind, x.count])).toEqual([
      ['preview-generator', 1],
      ['template-caption', 1],
    ]);
    expect(rowLabel(s.rows[0]!, 1)).toBe('F2F [STAND-IN: preview generator, template captions]');
    const md = renderMarkdown(s);
    expect(md).toContain('| F2F [STAND-IN: preview generator, template captions] |');
    expect(md).toContain(
      'F2F: generator cogvideox-worker (THUDM/CogVideoX-5b-I2V) (model cogvideox-5b-i2v) ×2, preview-generator (not a model) (model preview) ×1',
    );
    expect(md).toContain('selection vlm ×3; fallbacks: 0 caption, 0 selection');
    expect(md).toContain('Target CLIP is CLIPScore (Hessel et al. 2021): 2.5 · max(cos, 0)');
  });

  it('warns when captions used the paper-figures examples (TEdBench results)', () => {
    const clean3 = summary(runs(F2F), [F2F]);
    expect(renderMarkdown(clean3)).not.toContain('paper-figures');
    const md = renderMarkdown(
      summary(runs(F2F, { exampleSet: 'paper-figures', promptVersion: 'paper-b1-v1' }), [F2F]),
    );
    expect(md).toContain('WARNING: captions were written with the paper-figures example set');
  });
});

describe('reading provenance from the edit', () => {
  it('takes the generator from the last video.generated event of the history', () => {
    const p = provenanceOf({
      options: { model: 'preview' },
      caption: { provenance: 'vlm', promptVersion: 'f2f-b1-v2', exampleSet: 'project', fallbackReason: null },
      selectionDecision: { policy: 'last-frame', fallbackReason: 'VLM selection failed' },
      history: [
        { type: 'edit.requested', payload: '{}' },
        {
          type: 'video.generated',
          payload: JSON.stringify({ model: 'preview', generator: 'preview-generator (not a model)' }),
        },
      ],
    });
    expect(p).toEqual({
      model: 'preview',
      generator: 'preview-generator (not a model)',
      captionProvenance: 'vlm',
      exampleSet: 'project',
      promptVersion: 'f2f-b1-v2',
      captionFallback: null,
      selectionPolicy: 'last-frame',
      selectionFallback: 'VLM selection failed',
    });
    expect(provenanceOf({}).generator).toBeNull();
  });
});

describe('selection variants', () => {
  const dataset = {
    dir: '/d',
    file: '/d/dataset.json',
    items: ['a', 'b'].map((id) => ({
      id,
      sourcePath: `/d/${id}.png`,
      source: Buffer.from(id),
      targetCaption: id,
      groundTruthPath: null,
      groundTruth: null,
    })),
  };

  it('adds the METRIC policy and best of N seeds by the VLM, each labelled', () => {
    expect(variantsFor('metric').map((v) => [v.name, v.selection])).toEqual([
      ['F2F', 'VLM'],
      ['F2F (METRIC selection)', 'METRIC'],
    ]);
    expect(variantsFor('all').map((v) => v.name)).toContain(METRIC_SELECTION.name);
    const variants = variantsFor('none', 3);
    expect(variants.map((v) => v.name)).toEqual(['F2F', 'F2F (best of 3 seeds by the VLM)']);
    // One edit per seed for F2F (best by CLIP), one edit of 3 candidates per item for the VLM's choice.
    const tasks = planTasks(dataset, { variants, seeds: 3, firstSeed: 5 });
    expect(tasks.filter((t) => t.variant === F2F)).toHaveLength(6);
    expect(
      tasks.filter((t) => t.variant !== F2F).map((t) => [t.item.id, t.seed, t.variant.candidates]),
    ).toEqual([
      ['a', 5, 3],
      ['b', 5, 3],
    ]);
    // Its row has no best-by-CLIP companion; F2F's has.
    const results = [
      ...tasks.map((t) =>
        makeRun({ itemId: t.item.id, variant: t.variant.name, seed: t.seed, metricModels: TRAINED }),
      ),
    ];
    const s = summarize(results, variants, { items: 2, itemsWithGroundTruth: 0 }, 3);
    expect(s.rows.map((r) => rowLabel(r, 3))).toEqual([
      'F2F',
      'F2F (best of 3 seeds by CLIP)',
      'F2F (best of 3 seeds by the VLM)',
    ]);
    expect(bestByVlm(4).candidates).toBe(4);
  });
});
