import { mkdirSync } from 'node:fs';
import path from 'node:path';

import { ensureInfrastructure } from '@f2f/harness';
import { REPO_ROOT } from '@f2f/launcher';

import { runInfo } from './machine';
import { type BenchPart, PART_IDS, type PartId } from './part';
import { PARTS } from './parts';
import { RESULTS_DIR, saveResult, type StoredResult, writeReport } from './report';

export const USAGE = `npm run bench [-- options] [part …]
  part     some of: ${PART_IDS.join(', ')} (default: all, in that order)
  --quick  CI's reduced run: checks each benchmark works end to end; figures go to
           .cache/bench/results and BENCHMARKS.md is left alone
  --help   this text and what each part measures

${PARTS.map((p) => `  ${p.id.padEnd(14)}${p.summary}`).join('\n')}`;

function selectParts(names: string[]): BenchPart[] {
  const unknown = names.filter((n) => !(PART_IDS as readonly string[]).includes(n));
  if (unknown.length > 0)
    throw new Error(`unknown part(s) ${unknown.join(', ')}; the parts: ${PART_IDS.join(', ')}`);
  return names.length === 0 ? [...PARTS] : PARTS.filter((p) => names.includes(p.id as PartId));
}

/** `npm run bench`: runs the parts one after the other; exit 1 when one failed (a missed target is not a failure). */
export async function main(argv: string[]): Promise<number> {
  if (argv.includes('--help')) {
    console.log(USAGE);
    return 0;
  }
  const quick = argv.includes('--quick');
  const options = argv.filter((a) => a.startsWith('--') && a !== '--quick');
  if (options.length > 0) throw new Error(`unknown option(s) ${options.join(', ')}\n${USAGE}`);
  const parts = selectParts(argv.filter((a) => !a.startsWith('--')));
  const command = `npm run bench${argv.length ? ` -- ${argv.join(' ')}` : ''}`;
  const infra = await ensureInfrastructure();
  const resultsDir = quick ? path.join(REPO_ROOT, '.cache', 'bench', 'results') : RESULTS_DIR;
  let failed = 0;
  const started = Date.now();
  for (const part of parts) {
    const workDir = path.join(REPO_ROOT, '.cache', 'bench', part.id);
    mkdirSync(workDir, { recursive: true });
    const run = runInfo();
    const log = (message: string) => console.error(`[bench ${part.id}] ${message}`);
    log(`${part.title}${quick ? ' (quick)' : ''}`);
    const partStarted = Date.now();
    let stored: StoredResult;
    try {
      const result = await part.run({ infra, quick, log, workDir });
      stored = {
        id: part.id,
        title: part.title,
        command,
        run,
        seconds: (Date.now() - partStarted) / 1000,
        ...result,
      };
      for (const t of result.targets)
        log(`${t.name}: ${t.measured} (target ${t.target})${t.holds === false ? ' MISSES' : ''}`);
    } catch (error) {
      failed++;
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
      log(`failed: ${message}`);
      stored = {
        id: part.id,
        title: part.title,
        command,
        run,
        seconds: (Date.now() - partStarted) / 1000,
        targets: [],
        markdown: '',
        error: message,
      };
    }
    saveResult(stored, resultsDir);
    if (!quick) writeReport(PARTS);
  }
  console.error(
    `bench: ${parts.length - failed}/${parts.length} part(s) ran in ${Math.round((Date.now() - started) / 1000)} s` +
      (quick ? ` (results in ${resultsDir})` : '; BENCHMARKS.md written'),
  );
  return failed > 0 ? 1 : 0;
}
