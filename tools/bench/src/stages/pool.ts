import { fork } from 'node:child_process';
import path from 'node:path';

import type { StageCount, StageJob } from './worker';

type Reply = { ok: true; count: StageCount } | { ok: false; error: string };

/** Runs the job in `processes` child processes at once; their counts. */
export async function runInProcesses(job: StageJob, processes: number): Promise<StageCount[]> {
  const script = path.join(__dirname, 'worker.js');
  return Promise.all(
    Array.from(
      { length: processes },
      () =>
        new Promise<StageCount>((resolve, reject) => {
          const child = fork(script, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
          child.once('message', (reply: Reply) => {
            if (reply.ok) resolve(reply.count);
            else reject(new Error(`${job.stage} worker failed: ${reply.error}`));
          });
          child.once('exit', (code) => {
            if (code !== 0) reject(new Error(`${job.stage} worker exited with ${code}`));
          });
          child.send(job);
        }),
    ),
  );
}

/** Edits per minute of the processes together. */
export const editsPerMinute = (counts: StageCount[]): number =>
  counts.reduce((sum, c) => sum + (c.edits * 60_000) / c.ms, 0);

/** GPU workers one replica keeps busy: its edits per minute over a GPU's videos per minute. */
export const gpuWorkersKeptBusy = (editsPerMin: number, gpuSecondsPerVideo: number): number =>
  editsPerMin / (60 / gpuSecondsPerVideo);
