import { mkdirSync } from 'node:fs';
import path from 'node:path';

import { ensureInfrastructure } from '@f2f/harness';
import { REPO_ROOT } from '@f2f/launcher';

import { runInfo } from './machine';
import { type BenchPart, PART_IDS, type PartId, type ServiceEnv } from './part';
import { PARTS } from './parts';
import { RESULTS_DIR, saveResult, type StoredResult, writeReport } from './report';

export const USAGE = `npm run bench [-- options] [part …]
  part     some of: ${PART_IDS.join(', ')} (default: all, in that order)
  --quick  CI's reduced run: checks each benchmark works end to end; figures go to
           .cache/bench/results and BENCHMARKS.md is left alone
  --set <service>.<NAME>=<value>
           a setting of one service on the platforms the parts start (repeatable), for an A/B
           run, e.g. --set video-generation.FRAMES_IN_FLIGHT=1; figures go to .cache/bench/results
  --help   this text and what each part measures

${PARTS.map((p) => `  ${p.id.padEnd(14)}${p.summary}`).join('\n')}`;

/** The options and the parts named, or an error naming what is wrong. */
export function parseArgs(argv: string[]): { quick: boolean; serviceEnv: ServiceEnv; partNames: string[] } {
  const serviceEnv: ServiceEnv = {};
  const partNames: string[] = [];
  let quick = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--quick') quick = true;
    else if (arg === '--set' || arg.startsWith('--set=')) {
      const setting = arg === '--set' ? argv[++i] : arg.slice('--set='.length);
      const match = /^([a-z0-9-]+)\.([A-Z][A-Z0-9_]*)=(.*)$/.exec(setting ?? '');
      if (!match)
        throw new Error(`--set wants <service>.<NAME>=<value>, got ${setting ?? 'nothing'}\n${USAGE}`);
      const service = match[1] as keyof ServiceEnv;
      serviceEnv[service] = { ...serviceEnv[service], [match[2]]: match[3] };
    } else if (arg.startsWith('--')) throw new Error(`unknown option ${arg}\n${USAGE}`);
    else partNames.push(arg);
  }
  return { quick, serviceEnv, partNames };
}

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
  const { quick, serviceEnv, partNames } = parseArgs(argv);
  const parts = selectParts(partNames);
  const command = `npm run bench${argv.length ? ` -- ${argv.join(' ')}` : ''}`;
  const infra = await ensureInfrastructure();
  // A reduced or A/B run leaves BENCHMARKS.md and benchmarks/ alone.
  const scratch = quick || Object.keys(serviceEnv).length > 0;
  const resultsDir = scratch ? path.join(REPO_ROOT, '.cache', 'bench', 'results') : RESULTS_DIR;
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
      const result = await part.run({ infra, quick, log, workDir, serviceEnv });
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
    if (!scratch) writeReport(PARTS);
  }
  console.error(
    `bench: ${parts.length - failed}/${parts.length} part(s) ran in ${Math.round((Date.now() - started) / 1000)} s` +
      (scratch ? ` (results in ${resultsDir})` : '; BENCHMARKS.md written'),
  );
  return failed > 0 ? 1 : 0;
}
