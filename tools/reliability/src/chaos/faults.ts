import type { RunningPlatform, ServiceName } from '@f2f/launcher';

import {
  type Infrastructure,
  kafka,
  kafkaPid,
  killProcess,
  postgres,
  postgresPid,
  START_TIMEOUT_MS,
} from '@f2f/harness';

/** What a fault acts on. */
export interface FaultContext {
  platform: RunningPlatform;
  infra: Infrastructure;
}

/**
 * One fault: `inject` breaks a part while edits are in flight; `recover` brings it back (the way an
 * operator or a supervisor would). The suite measures from the start of `recover`.
 */
export interface Fault {
  name: string;
  description: string;
  inject(ctx: FaultContext): Promise<void>;
  recover(ctx: FaultContext): Promise<void>;
  /** Faults of the shared infrastructure need the local broker and cluster (not external ones). */
  needsLocalInfra?: boolean;
}

/** kill -9 of one service process, then the launcher starts it again. */
const killService = (name: ServiceName, label: string = name): Fault => ({
  name: label,
  description: `kill -9 of ${name}, then started again`,
  inject: ({ platform }) => platform.kill(name, 'SIGKILL'),
  recover: ({ platform }) => platform.start(name, START_TIMEOUT_MS),
});

export const FAULTS: readonly Fault[] = [
  killService('gateway'),
  killService('edits'),
  killService('captioning'),
  killService('video-generation'),
  killService('frame-selection'),
  killService('metrics'),
  killService('webhooks'),
  killService('preview-generator', 'generator-worker'),
  {
    name: 'kafka-kill',
    description: 'kill -9 of the Kafka broker, then infra/kafka.sh start',
    needsLocalInfra: true,
    inject: async () => killProcess(await kafkaPid()),
    recover: async () => void (await kafka.start()),
  },
  {
    name: 'postgres-kill',
    description: 'kill -9 of the Postgres postmaster, then infra/postgres.sh start',
    needsLocalInfra: true,
    inject: async ({ infra }) => killProcess(await postgresPid(infra.adminDatabaseUrl)),
    recover: async () => void (await postgres.start()),
  },
  {
    name: 'postgres-restart',
    description: 'graceful stop of Postgres (pg_ctl stop -m fast), then start',
    needsLocalInfra: true,
    inject: async () => void (await postgres.stop()),
    recover: async () => void (await postgres.start()),
  },
  {
    name: 'kafka-restart',
    description: 'graceful stop of the Kafka broker (SIGTERM), then start',
    needsLocalInfra: true,
    inject: async () => void (await kafka.stop()),
    recover: async () => void (await kafka.start()),
  },
];

/** The CI selection: a service on each side of the pipeline and a generator worker. */
export const CI_FAULTS = ['edits', 'video-generation', 'generator-worker'];

export function selectFaults(names: string[] | undefined): Fault[] {
  if (!names) return [...FAULTS];
  return names.map((name) => {
    const fault = FAULTS.find((f) => f.name === name);
    if (!fault) throw new Error(`unknown fault ${name}; known: ${FAULTS.map((f) => f.name).join(', ')}`);
    return fault;
  });
}
