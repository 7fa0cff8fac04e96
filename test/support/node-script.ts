import { spawnSync } from 'node:child_process';

/**
 * Runs a node script over JSON, for code that Jest cannot load in-process (ES modules, configs
 * loaded with import()): `input` as JSON on its stdin, the JSON on the last line of its stdout back.
 */
export function runNodeScript<T>(script: string, input: unknown, cwd: string): T {
  const out = spawnSync(process.execPath, [script], {
    cwd,
    input: JSON.stringify(input),
    encoding: 'utf8',
    maxBuffer: 64 * 2 ** 20,
  });
  if (out.status !== 0) throw new Error(`${script} failed (${out.status}):\n${out.stderr}`);
  return JSON.parse(out.stdout.trim().split('\n').at(-1)!) as T;
}
