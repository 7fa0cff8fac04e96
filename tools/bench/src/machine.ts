import { execFileSync } from 'node:child_process';
import os from 'node:os';

import { REPO_ROOT } from '@f2f/launcher';

/** Where and on what a run happened: written at the top of BENCHMARKS.md and into each result. */
export interface RunInfo {
  commit: string;
  /** Whether the work tree had uncommitted changes. */
  dirty: boolean;
  date: string;
  machine: string;
  node: string;
}

function git(...args: string[]): string {
  try {
    return execFileSync('git', args, { cwd: REPO_ROOT, encoding: 'utf8' }).trim();
  } catch {
    return '';
  }
}

export function runInfo(): RunInfo {
  const cpus = os.cpus();
  const gib = (os.totalmem() / 2 ** 30).toFixed(0);
  const load = os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
  return {
    commit: git('rev-parse', '--short=12', 'HEAD') || 'unknown',
    dirty: git('status', '--porcelain', '--untracked-files=no') !== '',
    date: new Date().toISOString(),
    machine: `${cpus.length} × ${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${gib} GiB, ${os.type()} ${os.release()}, load average at start ${load}`,
    node: process.version,
  };
}
