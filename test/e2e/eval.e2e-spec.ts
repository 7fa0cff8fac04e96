/**
 * @jest-environment ./test/support/native-typed-arrays-environment.js
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { type EvalIo, main } from '@f2f/eval';
import { DEFAULT_METRIC_MODELS_DIR, REPO_ROOT, type RunningPlatform, startPlatform } from '@f2f/launcher';

import type { PrismaClient as EditsClient } from '../../services/edits/src/database';
import { editsDatabase } from '../support/service-databases';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { testInfrastructure } from '../support/env';
import { FakeOpenAiServer } from '../support/fake-openai';

jest.setTimeout(600_000);

/** The project's own dataset (made by tools/eval/src/scripts/make-dataset.ts). */
const DATASET = path.join(REPO_ROOT, 'tools', 'eval', 'dataset');

let db: TestDatabase<EditsClient>;
let platform: RunningPlatform;
const vlm = new FakeOpenAiServer();

/** Runs the eval command's main function as the CLI does, capturing what it prints. */
async function runEvalCommand(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: EvalIo = { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), pollMs: 300 };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}

/** A CSV without quoted fields (what these files hold here) as objects keyed by the header. */
function parseCsv(text: string): Record<string, string>[] {
  const [header, ...rows] = text.trim().split('\n');
  const keys = header!.split(',');
  return rows.map((row) => Object.fromEntries(row.split(',').map((v, i) => [keys[i]!, v])));
}

const num = (v: string | undefined): number => {
  expect(v).toMatch(/^-?\d+(\.\d+)?(e-?\d+)?$/);
  return Number(v);
};

async function editCount(): Promise<number> {
  return db.prisma.edit.count();
}

beforeAll(async () => {
  const { kafkaBrokers } = testInfrastructure();
  db = await createTestDatabase('e2e_eval', editsDatabase);
  await vlm.start();
  // Captioning gets a temporal caption. Selection (the collage) picks image 3 (frame 12), except for
  // the autumn tree, where the VLM finds no frame that fulfils the edit (0: no edit).
  vlm.setDefault((request) => {
    const asked = JSON.stringify(request.body.messages);
    if (!asked.includes('The image displays the source photo')) return { text: 'The scene slowly changes.' };
    return { text: asked.includes('autumn leaves') ? 'The selected edit is:0' : 'The selected edit is:3' };
  });
  platform = await startPlatform({
    databaseUrl: db.url,
    kafkaBrokers,
    topicPrefix: `e2eeval${randomBytes(4).toString('hex')}.`,
    blobDir: await mkdtemp(path.join(os.tmpdir(), 'f2f-e2e-eval-blobs-')),
    logDir: path.join(REPO_ROOT, '.cache', 'test-logs', `e2e-eval-${Date.now()}`),
    stepDelayMs: 2,
    previewGenerators: 2,
    // The tiny random-weight networks: the real LPIPS / CLIP code paths, meaningless scores.
    metricModelsDir: DEFAULT_METRIC_MODELS_DIR,
    env: {
      captioning: { VLM_BASE_URL: vlm.baseUrl, VLM_MODEL: 'gpt-4o', VLM_TIMEOUT_MS: '5000' },
      'frame-selection': { VLM_BASE_URL: vlm.baseUrl, VLM_MODEL: 'gpt-4o', VLM_TIMEOUT_MS: '5000' },
    },
  });
});

afterAll(async () => {
  await platform?.stop();
  await vlm.stop();
  await db?.drop();
});

describe('the eval command against the whole platform', () => {
  it('refuses a bad dataset and unknown flags before submitting anything', async () => {
    const bad = await mkdtemp(path.join(os.tmpdir(), 'f2f-e2e-eval-bad-'));
    await writeFile(
      path.join(bad, 'dataset.json'),
      JSON.stringify([
        { id: 'x', source: 'missing.png', targetCaption: 'A photo of a cat.' },
        { id: 'x', source: 'missing.png', targetCaption: '' },
      ]),
    );
    const run = await runEvalCommand(['--dataset', bad, '--gateway', platform.gatewayUrl]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('missing.png: no such file');
    expect(run.stderr).toContain('duplicate id "x"');
    expect(run.stderr).toContain('"targetCaption" must be a non-empty string');
    const flag = await runEvalCommand([
      '--dataset',
      DATASET,
      '--gateway',
      platform.gatewayUrl,
      '--api-key',
      platform.apiKey,
      '--seed',
      '3',
    ]);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain("Unknown option '--seed'");
    expect(await editCount()).toBe(0);
  });

  it('runs the project dataset with every ablation and writes the Table 2 form with every variant, stand-ins labelled', async () => {
    const out = await mkdtemp(path.join(os.tmpdir(), 'f2f-e2e-eval-out-'));
    const run = await runEvalCommand([
      '--dataset',
      DATASET,
      '--gateway',
      platform.gatewayUrl,
      '--api-key',
      platform.apiKey,
      '--out',
      out,
      '--ablation',
      'all',
      '--concurrency',
      '3',
      '--timeout-s',
      '240',
      // The preview generator and the random-weight fixtures are stand-ins: printed, labelled.
      '--allow-stand-ins',
    ]);
    expect(run.stderr).not.toContain('FAILED');
    expect(run.code).toBe(0);
    const markdown = await readFile(path.join(out, 'results.md'), 'utf8');
    expect(run.stdout).toBe(markdown);

    // Table 2 form: the dataset has ground truths for 2 of its 4 items.
    const lines = markdown.split('\n');
    expect(lines[0]).toBe(
      '| Variant | Source LPIPS↓ | Source CLIP-I↑ | Target LPIPS↓ | Target CLIP-I↑ | Target CLIP↑ | Source LPIPS↓ † | Target LPIPS↓ † | Completed | No edit | Failed |',
    );
    const standIn = ' [STAND-IN: preview generator, random-weight metric networks]';
    expect(lines.slice(2, 6).map((l) => l.split(' | ')[0])).toEqual([
      `| F2F${standIn}`,
      `| Target caption${standIn}`,
      `| Last frame${standIn}`,
      `| F2F (METRIC selection)${standIn}`,
    ]);
    // How each row was made, from the platform's own records.
    expect(markdown).toMatch(
      /- F2F: generator preview-generator \(not a model\) \(model [^)]+\) ×4; caption vlm f2f-b1-v2 ×4 \(examples project ×4\); selection vlm ×4; fallbacks: 0 caption, 0 selection/,
    );
    expect(markdown).toContain('Target CLIP is CLIPScore (Hessel et al. 2021)');
    expect(markdown).toContain('over the 2 of 4 items that have one');
    // The table says which networks measured it, and that these (test fixtures) mean nothing.
    expect(markdown).toMatch(/Learned metrics measured with fixture-tiny-random-[0-9a-f]+\./);
    expect(markdown).toContain('random-weight test model set; these scores mean nothing');
    for (const row of lines.slice(2, 6))
      expect(row).toMatch(/^\| [^|]+ (\| \d+\.\d\d ){7}\| 4\/4 \| \d \| 0 \|$/);

    // results.csv: one row per variant, with the counts.
    const summary = parseCsv(await readFile(path.join(out, 'results.csv'), 'utf8'));
    expect(
      summary.map((r) => [r.variant, r.caption_mode, r.selection, r.runs, r.completed, r.no_edit, r.failed]),
    ).toEqual([
      ['F2F', 'TEMPORAL', 'VLM', '4', '4', '1', '0'],
      ['Target caption', 'TARGET', 'VLM', '4', '4', '1', '0'],
      ['Last frame', 'TEMPORAL', 'LAST_FRAME', '4', '4', '0', '0'],
      ['F2F (METRIC selection)', 'TEMPORAL', 'METRIC', '4', '4', summary[3]!.no_edit, '0'],
    ]);
    expect(summary.every((r) => r.items === '4' && r.items_with_ground_truth === '2')).toBe(true);

    // items.csv: one row per item × variant, every one completed and measured.
    const items = parseCsv(await readFile(path.join(out, 'items.csv'), 'utf8'));
    expect(items).toHaveLength(16);
    expect(new Set(items.map((r) => r.generator))).toEqual(new Set(['preview-generator (not a model)']));
    expect(
      items.filter((r) => r.variant === 'F2F (METRIC selection)').map((r) => r.selection_policy),
    ).toEqual(Array(4).fill('metric'));
    for (const r of items) {
      expect(r.status).toBe('COMPLETED');
      expect(num(r.frame_count)).toBe(49);
      const lpips = num(r.source_lpips);
      const clipI = num(r.source_clip_i);
      expect(lpips).toBeGreaterThanOrEqual(0);
      expect(clipI).toBeLessThanOrEqual(1);
      num(r.clip_score);
      if (r.has_ground_truth === 'true') {
        num(r.target_lpips);
        num(r.target_clip_i);
      } else {
        expect([r.target_lpips, r.target_clip_i]).toEqual(['', '']);
      }
    }
    const byVariant = (v: string) => items.filter((r) => r.variant === v);
    // The last-frame ablation picked the last frame of every path.
    expect(byVariant('Last frame').map((r) => [r.outcome, r.selected_index])).toEqual(
      Array(4).fill(['EDITED', '48']),
    );
    // The VLM variants picked frame 12 (image 3 of the collage), and no edit for the autumn tree,
    // whose result is the source image.
    for (const v of ['F2F', 'Target caption'])
      expect(byVariant(v).map((r) => [r.item_id, r.outcome, r.selected_index])).toEqual([
        ['ball-bounce', 'EDITED', '12'],
        ['sunset', 'EDITED', '12'],
        ['house-lights', 'EDITED', '12'],
        ['tree-autumn', 'NO_EDIT', ''],
      ]);
    const noEdit = byVariant('F2F').find((r) => r.outcome === 'NO_EDIT')!;
    expect(num(noEdit.source_lpips)).toBeCloseTo(0, 6);
    expect(num(noEdit.source_lpips_paper_range)).toBeCloseTo(0, 6);
    expect(num(noEdit.source_clip_i)).toBe(1);
    // LPIPS re-scored by the platform's scoreImages (the fixtures' LPIPS network is 256x256).
    expect(markdown).toContain(
      "re-scored by the platform's scoreImages at 512×512 (LPIPS network at 256×256)",
    );
    expect(items.every((r) => r.lpips_size === '256' && num(r.source_lpips_paper_range) >= 0)).toBe(true);

    // The table is the mean of the item rows (target columns over the items with a ground truth).
    for (const s of summary) {
      const own = byVariant(s.variant!);
      const mean = (key: string, rows = own) => rows.reduce((a, r) => a + num(r[key]), 0) / rows.length;
      expect(num(s.source_lpips)).toBeCloseTo(mean('source_lpips'), 10);
      expect(num(s.clip_score)).toBeCloseTo(mean('clip_score'), 10);
      const withGt = own.filter((r) => r.has_ground_truth === 'true');
      expect(num(s.target_lpips)).toBeCloseTo(mean('target_lpips', withGt), 10);
    }

    // The item rows are the platform's own numbers: read one edit back through the gateway.
    const sample = byVariant('F2F').find((r) => r.item_id === 'sunset')!;
    const res = await fetch(platform.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${platform.apiKey}` },
      body: JSON.stringify({
        query: `query($id: ID!) { edit(id: $id) { options { outputWidth seed selection captionMode }
          selectedFrame { index width height metrics { lpips clipI clipScore targetLpips targetClipI } } } }`,
        variables: { id: sample.edit_id },
      }),
    });
    const { data } = (await res.json()) as { data: { edit: any } };
    expect(data.edit.options).toEqual({
      outputWidth: 512,
      seed: 0,
      selection: 'VLM',
      captionMode: 'TEMPORAL',
    });
    expect([data.edit.selectedFrame.width, data.edit.selectedFrame.height]).toEqual([512, 512]);
    const m = data.edit.selectedFrame.metrics;
    // CLIP-I and CLIP score are the selected frame's; LPIPS was measured again at 512x512.
    expect([m.clipI, m.clipScore, m.targetClipI]).toEqual(
      ['source_clip_i', 'clip_score', 'target_clip_i'].map((k) => num(sample[k])),
    );
    expect(await editCount()).toBe(16);

    // eval score: the platform's results downloaded, scored with the same metric code. A result
    // is the 512x512 frame itself, so its CLIP score is the platform's to the last digit.
    const edited = await mkdtemp(path.join(os.tmpdir(), 'f2f-e2e-eval-edited-'));
    const f2f = byVariant('F2F').filter((r) => r.outcome === 'EDITED');
    for (const r of f2f) {
      const res = await fetch(platform.gatewayUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${platform.apiKey}` },
        body: JSON.stringify({
          query: 'query($id: ID!) { edit(id: $id) { resultUrl } }',
          variables: { id: r.edit_id },
        }),
      });
      const url = ((await res.json()) as { data: { edit: { resultUrl: string } } }).data.edit.resultUrl;
      await writeFile(
        path.join(edited, `${r.item_id}.png`),
        Buffer.from(await (await fetch(url)).arrayBuffer()),
      );
    }
    // The no-edit item's result is its source image.
    await writeFile(
      path.join(edited, 'tree-autumn.png'),
      await readFile(path.join(DATASET, 'images', 'tree-autumn.png')),
    );
    const scoreArgs = [
      'score',
      '--dataset',
      DATASET,
      '--edited',
      edited,
      '--name',
      'F2F (downloaded)',
      '--reference',
    ];
    const refused = await runEvalCommand([...scoreArgs, '--metric-models', DEFAULT_METRIC_MODELS_DIR]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('refusing to score with fixture-tiny-random-');
    const scoreOut = await mkdtemp(path.join(os.tmpdir(), 'f2f-e2e-eval-score-'));
    const scored = await runEvalCommand([
      ...scoreArgs,
      '--metric-models',
      DEFAULT_METRIC_MODELS_DIR,
      '--allow-stand-ins',
      '--out',
      scoreOut,
    ]);
    expect(scored.code).toBe(0);
    const scoreLines = scored.stdout.split('\n');
    expect(scoreLines[2]).toMatch(
      /^\| GT \(Reference\) \[STAND-IN: [^\]]+\] \| \d\.\d\d \| \d\.\d\d \| 0\.00 \| 1\.00 \| /,
    );
    expect(scoreLines[3]).toMatch(/^\| F2F \(downloaded\) \[STAND-IN: [^\]]+\] \|.* \| 4 \|$/);
    const scoredItems = parseCsv(await readFile(path.join(scoreOut, 'score-items.csv'), 'utf8'));
    for (const r of f2f) {
      const s = scoredItems.find((x) => x.row === 'F2F (downloaded)' && x.item_id === r.item_id)!;
      expect(num(s.clip_score)).toBeCloseTo(num(r.clip_score), 5);
    }
  });

  it('refuses to print rows whose edits used stand-ins, and says which', async () => {
    const out = await mkdtemp(path.join(os.tmpdir(), 'f2f-e2e-eval-refused-'));
    const run = await runEvalCommand([
      '--dataset',
      DATASET,
      '--gateway',
      platform.gatewayUrl,
      '--api-key',
      platform.apiKey,
      '--out',
      out,
      '--timeout-s',
      '240',
    ]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('refusing to print 1 row(s) whose edits used stand-ins');
    expect(run.stderr).toContain('F2F: preview generator in 4 of 4 edits (preview-generator (not a model))');
    expect(run.stderr).toContain('random-weight metric networks in 4 of 4 edits (fixture-tiny-random-');
    // Every edit is still on record, with how it was made; no table was written.
    const items = parseCsv(await readFile(path.join(out, 'items.csv'), 'utf8'));
    expect(items.map((r) => r.generator)).toEqual(Array(4).fill('preview-generator (not a model)'));
    await expect(readFile(path.join(out, 'results.md'), 'utf8')).rejects.toThrow(/ENOENT/);
  });
});
