import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';

import sharp from 'sharp';

/** One benchmark task: a source image, what it should become, and optionally what it should look like. */
export interface DatasetItem {
  id: string;
  /** Absolute path of the source image. */
  sourcePath: string;
  source: Buffer;
  targetCaption: string;
  groundTruthPath: string | null;
  groundTruth: Buffer | null;
}

export interface Dataset {
  dir: string;
  /** dataset.json or dataset.jsonl */
  file: string;
  items: DatasetItem[];
}

/** A dataset the evaluation cannot run on; `problems` lists every one found, each on its own line. */
export class DatasetError extends Error {
  override readonly name = 'DatasetError';
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`invalid dataset ${file}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** The image formats the platform accepts (createEdit's imageBase64). */
const IMAGE_FORMATS = new Set(['png', 'jpeg', 'webp']);
const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const ITEM_KEYS = new Set(['id', 'source', 'targetCaption', 'groundTruth']);

interface RawEntry {
  where: string;
  value: unknown;
}

async function exists(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}

/** The entries of dataset.json (an array, or { "items": [...] }) or dataset.jsonl (one object a line). */
async function readEntries(dir: string): Promise<{ file: string; entries: RawEntry[] }> {
  const json = path.join(dir, 'dataset.json');
  const jsonl = path.join(dir, 'dataset.jsonl');
  const [hasJson, hasJsonl] = await Promise.all([exists(json), exists(jsonl)]);
  if (hasJson && hasJsonl)
    throw new DatasetError(dir, ['both dataset.json and dataset.jsonl exist; keep one of them']);
  if (!hasJson && !hasJsonl) {
    const isDir = await stat(dir).then(
      (s) => s.isDirectory(),
      () => false,
    );
    throw new DatasetError(dir, [
      isDir ? 'no dataset.json or dataset.jsonl in this folder' : 'the dataset folder does not exist',
    ]);
  }
  const file = hasJson ? json : jsonl;
  const text = await readFile(file, 'utf8');
  if (hasJson) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw new DatasetError(file, [`not valid JSON: ${(error as Error).message}`]);
    }
    const list = Array.isArray(parsed)
      ? parsed
      : parsed !== null && typeof parsed === 'object' && Array.isArray((parsed as { items?: unknown }).items)
        ? (parsed as { items: unknown[] }).items
        : null;
    if (list === null)
      throw new DatasetError(file, ['expected an array of items, or an object { "items": [...] }']);
    return { file, entries: list.map((value, i) => ({ where: `item ${i + 1}`, value })) };
  }
  const entries: RawEntry[] = [];
  const problems: string[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === '') return;
    try {
      entries.push({ where: `line ${i + 1}`, value: JSON.parse(line) });
    } catch (error) {
      problems.push(`line ${i + 1}: not valid JSON: ${(error as Error).message}`);
    }
  });
  if (problems.length > 0) throw new DatasetError(file, problems);
  return { file, entries };
}

/** Resolves a path of the dataset file inside the dataset folder; null (with a problem) when it escapes it. */
function resolveInside(dir: string, relative: string, label: string, problems: string[]): string | null {
  if (path.isAbsolute(relative)) {
    problems.push(`${label}: "${relative}" must be a path relative to the dataset folder`);
    return null;
  }
  const resolved = path.resolve(dir, relative);
  const rel = path.relative(dir, resolved);
  if (rel.startsWith('..') || path.isAbsolute(rel)) {
    problems.push(`${label}: "${relative}" points outside the dataset folder`);
    return null;
  }
  return resolved;
}

/** Reads an image and checks that it decodes as a format the platform accepts; null with a problem otherwise. */
async function readImage(file: string, label: string, problems: string[]): Promise<Buffer | null> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    problems.push(
      `${label}: cannot read ${file}${code === 'ENOENT' ? ': no such file' : `: ${(error as Error).message}`}`,
    );
    return null;
  }
  try {
    const meta = await sharp(bytes).metadata();
    if (!meta.format || !IMAGE_FORMATS.has(meta.format)) {
      problems.push(`${label}: ${file} is ${meta.format ?? 'an unknown format'}; use PNG, JPEG or WebP`);
      return null;
    }
    if (!meta.width || !meta.height) {
      problems.push(`${label}: ${file} has no size`);
      return null;
    }
    // Decode the pixels too: a truncated file can have a valid header.
    await sharp(bytes).raw().toBuffer();
  } catch (error) {
    problems.push(`${label}: ${file} is not a readable image (${(error as Error).message})`);
    return null;
  }
  return bytes;
}

/**
 * Loads and checks a whole dataset before anything is submitted: every problem (unknown keys,
 * missing or empty fields, duplicate ids, paths outside the folder, unreadable or invalid images)
 * is collected and reported at once.
 */
export async function loadDataset(dirArg: string): Promise<Dataset> {
  const dir = path.resolve(dirArg);
  const { file, entries } = await readEntries(dir);
  if (entries.length === 0) throw new DatasetError(file, ['the dataset has no items']);

  const seen = new Map<string, string>();
  // One list of problems per entry, so that they are reported in the file's order.
  const checked = entries.map(({ where, value }) => {
    const problems: string[] = [];
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      problems.push(`${where}: expected an object { id, source, targetCaption, groundTruth? }`);
      return { problems, item: Promise.resolve(null) };
    }
    const raw = value as Record<string, unknown>;
    const label = typeof raw.id === 'string' && raw.id !== '' ? `${where} ("${raw.id}")` : where;
    for (const key of Object.keys(raw))
      if (!ITEM_KEYS.has(key))
        problems.push(`${label}: unknown field "${key}" (fields: id, source, targetCaption, groundTruth)`);
    if (typeof raw.id !== 'string' || raw.id.trim() === '')
      problems.push(`${label}: "id" must be a non-empty string`);
    else if (!ID_PATTERN.test(raw.id))
      problems.push(`${label}: "id" may hold only letters, digits, ".", "_" and "-" (at most 128)`);
    else if (seen.has(raw.id)) problems.push(`${label}: duplicate id "${raw.id}" (also ${seen.get(raw.id)})`);
    else seen.set(raw.id, where);
    if (typeof raw.targetCaption !== 'string' || raw.targetCaption.trim() === '')
      problems.push(`${label}: "targetCaption" must be a non-empty string`);
    if (typeof raw.source !== 'string' || raw.source.trim() === '')
      problems.push(`${label}: "source" must be a path to an image, relative to the dataset folder`);
    if (raw.groundTruth !== undefined && raw.groundTruth !== null && typeof raw.groundTruth !== 'string')
      problems.push(`${label}: "groundTruth" must be a path to an image when present`);
    if (problems.length > 0) return { problems, item: Promise.resolve(null) };

    const sourcePath = resolveInside(dir, raw.source as string, `${label} source`, problems);
    const gt = typeof raw.groundTruth === 'string' && raw.groundTruth.trim() !== '' ? raw.groundTruth : null;
    const groundTruthPath = gt === null ? null : resolveInside(dir, gt, `${label} groundTruth`, problems);
    if (sourcePath === null || (gt !== null && groundTruthPath === null))
      return { problems, item: Promise.resolve(null) };
    const item = (async (): Promise<DatasetItem | null> => {
      const [source, groundTruth] = await Promise.all([
        readImage(sourcePath, `${label} source`, problems),
        groundTruthPath === null ? null : readImage(groundTruthPath, `${label} groundTruth`, problems),
      ]);
      if (source === null || (groundTruthPath !== null && groundTruth === null)) return null;
      return {
        id: raw.id as string,
        sourcePath,
        source,
        targetCaption: (raw.targetCaption as string).trim(),
        groundTruthPath,
        groundTruth,
      };
    })();
    return { problems, item };
  });
  const items = await Promise.all(checked.map((c) => c.item));
  const problems = checked.flatMap((c) => c.problems);
  if (problems.length > 0) throw new DatasetError(file, problems);
  return { dir, file, items: items.filter((i): i is DatasetItem => i !== null) };
}
