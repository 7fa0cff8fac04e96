import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { REPO_ROOT } from '@f2f/launcher';
import { renderTable } from '@f2f/harness';

import { type BenchPart, PART_IDS, type PartId, type PartResult } from './part';
import type { RunInfo } from './machine';

/** One benchmark's last result, as kept in benchmarks/<id>.json. */
export interface StoredResult extends PartResult {
  id: PartId;
  title: string;
  command: string;
  run: RunInfo;
  seconds: number;
  /** Set when the benchmark threw: its message, shown in place of figures. */
  error?: string;
}

export const RESULTS_DIR = path.join(REPO_ROOT, 'benchmarks');
export const REPORT_FILE = path.join(REPO_ROOT, 'BENCHMARKS.md');

export function saveResult(result: StoredResult, dir = RESULTS_DIR): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, `${result.id}.json`), `${JSON.stringify(result, null, 2)}\n`);
}

function loadResults(dir: string): StoredResult[] {
  return PART_IDS.map((id) => path.join(dir, `${id}.json`))
    .filter((file) => existsSync(file))
    .map((file) => JSON.parse(readFileSync(file, 'utf8')) as StoredResult);
}

const verdict = (holds: boolean | undefined) =>
  holds === undefined ? '–' : holds ? '✅ holds' : '❌ misses';

/** BENCHMARKS.md from every stored result: a summary of targets, then one section per benchmark. */
export function renderReport(parts: readonly BenchPart[], dir = RESULTS_DIR): string {
  const results = loadResults(dir);
  const lines = [
    '# Benchmarks',
    '',
    'Written by `npm run bench` (tools/bench; `npm run bench -- <part> …` runs some parts, `-- --help` lists',
    'them); do not edit by hand. Each part keeps its last result in `benchmarks/<part>.json`; a section',
    'names the command, commit and machine of the run that made it. Every target is a ratio measured side',
    'by side in one run on the same machine: absolute times on a shared machine are noise.',
    '',
    '## Targets',
    '',
    renderTable(
      ['part', 'figure', 'measured', 'target', ''],
      results.flatMap((r) =>
        r.error
          ? [[r.id, 'the benchmark failed', r.error.split('\n')[0], '', '❌ failed']]
          : r.targets.map((t) => [r.id, t.name, t.measured, t.target, verdict(t.holds)]),
      ),
    ),
  ];
  const missing = parts.filter((p) => !results.some((r) => r.id === p.id));
  if (missing.length > 0) lines.push('', `Not measured yet: ${missing.map((p) => p.id).join(', ')}.`);
  for (const r of results) {
    lines.push(
      '',
      `## ${r.title}`,
      '',
      `\`${r.command}\` · commit ${r.run.commit}${r.run.dirty ? ' (with uncommitted changes)' : ''} · ${r.run.date} · ` +
        `${r.run.machine} · Node ${r.run.node} · ${Math.round(r.seconds)} s`,
      '',
      r.error ? `**The benchmark failed:**\n\n\`\`\`\n${r.error}\n\`\`\`` : r.markdown.trim(),
    );
  }
  return `${lines.join('\n')}\n`;
}

export function writeReport(parts: readonly BenchPart[]): void {
  writeFileSync(REPORT_FILE, renderReport(parts));
}
