import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import sharp from 'sharp';

import { DatasetError, loadDataset } from '../dataset';

const png = (color = '#3a7') =>
  sharp({ create: { width: 32, height: 32, channels: 3, background: color } })
    .png()
    .toBuffer();

/** A dataset folder with the given dataset file content and files. */
async function makeDatasetDir(
  content: unknown,
  files: Record<string, Buffer | string> = {},
  name = 'dataset.json',
): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'f2f-eval-ds-'));
  for (const [rel, body] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
    await writeFile(path.join(dir, rel), body);
  }
  await writeFile(path.join(dir, name), typeof content === 'string' ? content : JSON.stringify(content));
  return dir;
}

async function problemsOf(dir: string): Promise<string[]> {
  const error = await loadDataset(dir).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DatasetError);
  return (error as DatasetError).problems;
}

describe('loadDataset', () => {
  it('loads items with their images and optional ground truths, from an array or { items }', async () => {
    const files = { 'a.png': await png(), 'gt/a.png': await png('#f00'), 'b.png': await png('#00f') };
    const items = [
      { id: 'a', source: 'a.png', targetCaption: ' A photo of a red square. ', groundTruth: 'gt/a.png' },
      { id: 'b', source: 'b.png', targetCaption: 'A photo of a blue square.' },
    ];
    for (const content of [items, { items }]) {
      const dataset = await loadDataset(await makeDatasetDir(content, files));
      expect(dataset.items.map((i) => [i.id, i.targetCaption, i.groundTruth !== null])).toEqual([
        ['a', 'A photo of a red square.', true],
        ['b', 'A photo of a blue square.', false],
      ]);
      expect(dataset.items[0]!.source.equals(files['a.png'])).toBe(true);
      expect(dataset.items[0]!.groundTruth!.equals(files['gt/a.png'])).toBe(true);
    }
  });

  it('reads dataset.jsonl, one item a line, blank lines allowed', async () => {
    const dir = await makeDatasetDir(
      '{"id":"a","source":"a.png","targetCaption":"x"}\n\n{"id":"b","source":"a.png","targetCaption":"y"}\n',
      { 'a.png': await png() },
      'dataset.jsonl',
    );
    expect((await loadDataset(dir)).items.map((i) => i.id)).toEqual(['a', 'b']);
  });

  it('says when the folder or the dataset file is missing, or both files exist', async () => {
    expect(await problemsOf(path.join(os.tmpdir(), 'f2f-no-such-dataset'))).toEqual([
      'the dataset folder does not exist',
    ]);
    const empty = await mkdtemp(path.join(os.tmpdir(), 'f2f-eval-ds-'));
    expect(await problemsOf(empty)).toEqual(['no dataset.json or dataset.jsonl in this folder']);
    const both = await makeDatasetDir([], {});
    await writeFile(path.join(both, 'dataset.jsonl'), '');
    expect(await problemsOf(both)).toEqual(['both dataset.json and dataset.jsonl exist; keep one of them']);
  });

  it('refuses invalid JSON, a wrong shape and an empty dataset', async () => {
    expect((await problemsOf(await makeDatasetDir('[{"id": ')))[0]).toMatch(/^not valid JSON/);
    expect(await problemsOf(await makeDatasetDir({ rows: [] }))).toEqual([
      'expected an array of items, or an object { "items": [...] }',
    ]);
    expect(await problemsOf(await makeDatasetDir([]))).toEqual(['the dataset has no items']);
    const jsonl = await makeDatasetDir('{"id":"a"}\nnot json\n', {}, 'dataset.jsonl');
    expect((await problemsOf(jsonl))[0]).toMatch(/^line 2: not valid JSON/);
  });

  it('reports every field problem at once: duplicate ids, empty captions, unknown fields, bad paths', async () => {
    const problems = await problemsOf(
      await makeDatasetDir(
        [
          { id: 'a', source: 'a.png', targetCaption: 'x' },
          { id: 'a', source: 'a.png', targetCaption: 'y' },
          { id: 'b', source: 'a.png', targetCaption: '   ' },
          { id: 'c', source: 'a.png', targetCaption: 'z', caption: 'typo' },
          { id: 'd e', source: 'a.png', targetCaption: 'z' },
          { id: 'f', source: '../outside.png', targetCaption: 'z' },
          { id: 'g', source: '/etc/passwd', targetCaption: 'z' },
          { id: 'h', targetCaption: 'z' },
          { id: 'i', source: 'a.png', targetCaption: 'z', groundTruth: 3 },
          'not an object',
        ],
        { 'a.png': await png() },
      ),
    );
    expect(problems).toEqual([
      'item 2 ("a"): duplicate id "a" (also item 1)',
      'item 3 ("b"): "targetCaption" must be a non-empty string',
      'item 4 ("c"): unknown field "caption" (fields: id, source, targetCaption, groundTruth)',
      'item 5 ("d e"): "id" may hold only letters, digits, ".", "_" and "-" (at most 128)',
      'item 6 ("f") source: "../outside.png" points outside the dataset folder',
      'item 7 ("g") source: "/etc/passwd" must be a path relative to the dataset folder',
      'item 8 ("h"): "source" must be a path to an image, relative to the dataset folder',
      'item 9 ("i"): "groundTruth" must be a path to an image when present',
      'item 10: expected an object { id, source, targetCaption, groundTruth? }',
    ]);
  });

  it('refuses missing, unreadable, truncated and unsupported images, source and ground truth alike', async () => {
    const good = await png();
    const gif = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#000' } })
      .gif()
      .toBuffer();
    const problems = await problemsOf(
      await makeDatasetDir(
        [
          { id: 'missing', source: 'nope.png', targetCaption: 'x' },
          { id: 'text', source: 'text.png', targetCaption: 'x' },
          { id: 'truncated', source: 'truncated.png', targetCaption: 'x' },
          { id: 'gif', source: 'a.gif', targetCaption: 'x' },
          { id: 'gt', source: 'good.png', targetCaption: 'x', groundTruth: 'gt-missing.png' },
          { id: 'ok', source: 'good.png', targetCaption: 'x' },
        ],
        {
          'text.png': 'hello',
          'truncated.png': good.subarray(0, Math.floor(good.length / 2)),
          'a.gif': gif,
          'good.png': good,
        },
      ),
    );
    expect(problems).toHaveLength(5);
    expect(problems[0]).toMatch(/^item 1 \("missing"\) source: cannot read .*nope\.png: no such file$/);
    expect(problems[1]).toMatch(/^item 2 \("text"\) source: .*text\.png is not a readable image/);
    expect(problems[2]).toMatch(/^item 3 \("truncated"\) source: .*truncated\.png is not a readable image/);
    expect(problems[3]).toMatch(/^item 4 \("gif"\) source: .*a\.gif is gif; use PNG, JPEG or WebP$/);
    expect(problems[4]).toMatch(/^item 5 \("gt"\) groundTruth: cannot read .*gt-missing\.png: no such file$/);
  });
});
