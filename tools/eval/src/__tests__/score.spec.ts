/**
 * @jest-environment ./test/support/native-typed-arrays-environment.js
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { decodeForEvaluation, LearnedMetrics } from '@f2f/learned-metrics';
import sharp from 'sharp';

import { loadDataset } from '../dataset';
import { main } from '../main';
import { matchEdited, ScoreError, scoreRow } from '../score';

const REPO = path.resolve(__dirname, '../../../..');
const DATASET = path.join(REPO, 'tools', 'eval', 'dataset');
/** The tiny random-weight networks (LPIPS at 256): the real code paths, stand-in scores. */
const FIXTURES = path.join(REPO, 'libs', 'learned-metrics', 'fixtures', 'tiny-models');

jest.setTimeout(120_000);

async function run(argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await main(['score', ...argv], {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
  });
  return { code, stdout, stderr };
}

/** A folder with an "edited" image per dataset item: the source, re-encoded in another format and size. */
async function editedFolder(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'f2f-eval-edited-'));
  const formats = [
    ['ball-bounce', 'webp', 300, 200],
    ['sunset', 'jpg', 1024, 1024],
    ['house-lights', 'png', 512, 512],
    ['tree-autumn', 'jpeg', 96, 128],
  ] as const;
  for (const [id, ext, w, h] of formats) {
    const img = sharp(path.join(DATASET, 'images', `${id}.png`)).resize(w, h, { fit: 'fill' });
    const encoded = ext === 'webp' ? img.webp() : ext === 'png' ? img.png() : img.jpeg({ quality: 95 });
    await writeFile(path.join(dir, `${id}.${ext}`), await encoded.toBuffer());
  }
  await writeFile(path.join(dir, 'notes.txt'), 'not an image: ignored');
  return dir;
}

describe('eval score', () => {
  it('refuses random-weight networks and LPIPS at another size than 512, naming them', async () => {
    const edited = await editedFolder();
    const r = await run(['--dataset', DATASET, '--edited', edited, '--metric-models', FIXTURES]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('refusing to score with fixture-tiny-random-');
    expect(r.stderr).toContain('random-weight metric networks, LPIPS at 256x256');
    expect(r.stdout).toBe('');
  });

  it('scores edited images of any format and size and the ground truths, as labelled stand-in rows', async () => {
    const edited = await editedFolder();
    const out = await mkdtemp(path.join(os.tmpdir(), 'f2f-eval-score-'));
    const r = await run([
      '--dataset',
      DATASET,
      '--edited',
      edited,
      '--name',
      'Re-encoded sources',
      '--reference',
      '--metric-models',
      FIXTURES,
      '--allow-stand-ins',
      '--out',
      out,
    ]);
    expect(r.stderr).not.toContain('error');
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe(
      '| Method | Source LPIPS↓ † | Source CLIP-I↑ | Target LPIPS↓ † | Target CLIP-I↑ | Target CLIP↑ | Source LPIPS↓ [-1,1] | Target LPIPS↓ [-1,1] | Items |',
    );
    const label = '[STAND-IN: random-weight metric networks, LPIPS at 256x256]';
    // The ground truths against themselves: target LPIPS 0 and CLIP-I 1, over the 2 items that have one.
    expect(lines[2]).toMatch(
      new RegExp(
        `^\\| GT \\(Reference\\) ${label.replace(/[[\]]/g, '\\$&')} \\| \\d\\.\\d\\d \\| \\d\\.\\d\\d \\| 0\\.00 \\| 1\\.00 \\| \\d\\.\\d\\d \\| \\d\\.\\d\\d \\| 0\\.00 \\| 2 \\|$`,
      ),
    );
    expect(lines[3]).toContain(`| Re-encoded sources ${label} |`);
    expect(lines[3]).toMatch(/\| 4 \|$/);
    expect(r.stdout).toContain('every image resized to 512x512');
    expect(r.stdout).toContain('† paper-comparable LPIPS (`lpipsPaperRange`)');

    // Per item, the platform's metric code on the protocol's images (the same numbers).
    const csv = (await readFile(path.join(out, 'score-items.csv'), 'utf8')).trim().split('\n');
    expect(csv).toHaveLength(1 + 2 + 4);
    const header = csv[0]!.split(',');
    const row = Object.fromEntries(
      csv
        .find((l) => l.startsWith('Re-encoded sources,ball-bounce,'))!
        .split(',')
        .map((v, i) => [header[i], v]),
    );
    const models = await LearnedMetrics.load({ modelDir: FIXTURES, threads: 1 });
    try {
      const direct = await models.score({
        result: await decodeForEvaluation(await readFile(path.join(edited, 'ball-bounce.webp')), 'x'),
        source: await decodeForEvaluation(
          await readFile(path.join(DATASET, 'images', 'ball-bounce.png')),
          'x',
        ),
        groundTruth: await decodeForEvaluation(
          await readFile(path.join(DATASET, 'ground-truth', 'ball-bounce.png')),
          'x',
        ),
        caption: 'A photo of a red ball bouncing high above the grass.',
      });
      expect(Number(row.lpips)).toBeCloseTo(direct.lpips, 6);
      expect(Number(row.lpips_paper_range)).toBeCloseTo(direct.lpipsPaperRange, 6);
      expect(Number(row.clip_score)).toBeCloseTo(2.5 * Math.max(Number(row.clip_cosine), 0), 9);
      expect(Number(row.target_lpips_paper_range)).toBeCloseTo(direct.targetLpipsPaperRange!, 6);
    } finally {
      await models.release();
    }
  });

  it('needs an edited image for every item, and exactly one', async () => {
    const dataset = await loadDataset(DATASET);
    const edited = await editedFolder();
    await writeFile(
      path.join(edited, 'sunset.png'),
      await sharp(path.join(DATASET, 'images', 'sunset.png')).toBuffer(),
    );
    const empty = await mkdtemp(path.join(os.tmpdir(), 'f2f-eval-empty-'));
    await expect(matchEdited(dataset, empty)).rejects.toThrow(/no edited image for item "ball-bounce"/);
    await expect(matchEdited(dataset, edited)).rejects.toThrow(
      /item "sunset" has 2 images: sunset.jpg, sunset.png/,
    );
    const r = await run(['--dataset', DATASET, '--edited', empty, '--metric-models', FIXTURES]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no edited image for item "tree-autumn"');
    expect((await run(['--dataset', DATASET])).stderr).toContain('give --edited <dir>');
    expect(ScoreError.name).toBe('ScoreError');
  });

  it("leaves a random-weight network's columns n/a rather than print its numbers", () => {
    const scores = {
      lpips: 0.5,
      lpipsPaperRange: 0.3,
      clipI: 0.9,
      clipScore: 0.7,
      clipCosine: 0.28,
      targetLpips: null,
      targetLpipsPaperRange: null,
      targetClipI: null,
      lpipsSize: 512,
    };
    const items = [{ row: 'x', itemId: 'a', file: 'a.png', scores }];
    const row = scoreRow('x', items, { lpips: false, clip: true }, ['random-weight CLIP'], false);
    expect([row.lpips, row.lpipsPaperRange, row.clipI, row.clipScore]).toEqual([0.5, 0.3, null, null]);
    expect(row.standIns).toEqual([]);
    const allowed = scoreRow('x', items, { lpips: false, clip: true }, ['random-weight CLIP'], true);
    expect([allowed.clipScore, allowed.standIns]).toEqual([0.7, ['random-weight CLIP']]);
  });
});
