import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { createDatabase, dropDatabase, migratePlatform } from '@f2f/database';
import { type PlatformOptions, REPO_ROOT, type RunningPlatform, startPlatform } from '@f2f/launcher';

import type { Infrastructure } from './infra';

/** How long a service has to become healthy: generous, since the suites run on loaded CI machines. */
export const START_TIMEOUT_MS = 240_000;

/** A platform on a fresh, migrated database of its own, with what it takes to clean up after it. */
export interface TestPlatform {
  platform: RunningPlatform;
  logDir: string;
  stop(): Promise<void>;
}

/** Starts every service (free random ports, two preview generators) on a new database. */
export async function startTestPlatform(
  infra: Infrastructure,
  label: string,
  env: PlatformOptions['env'] = {},
): Promise<TestPlatform> {
  const name = `f2f_${label}_${randomBytes(4).toString('hex')}`;
  const databaseUrl = await createDatabase(infra.adminDatabaseUrl, name);
  await migratePlatform(databaseUrl);
  const blobDir = await mkdtemp(path.join(os.tmpdir(), `f2f-${label}-blobs-`));
  const logDir = path.join(REPO_ROOT, '.cache', 'reliability-logs', `${label}-${Date.now()}`);
  const platform = await startPlatform({
    databaseUrl,
    kafkaBrokers: infra.kafkaBrokers,
    topicPrefix: `${label}${randomBytes(4).toString('hex')}.`,
    blobDir,
    logDir,
    stepDelayMs: 5,
    previewGenerators: 2,
    startTimeoutMs: START_TIMEOUT_MS,
    env,
  });
  // Interrupted (Ctrl-C, a CI timeout): stop the services rather than leave them running.
  const interrupted = () => void platform.stop().finally(() => process.exit(130));
  process.once('SIGINT', interrupted).once('SIGTERM', interrupted);
  return {
    platform,
    logDir,
    stop: async () => {
      process.off('SIGINT', interrupted).off('SIGTERM', interrupted);
      await platform.stop();
      await dropDatabase(infra.adminDatabaseUrl, name).catch(() => undefined);
      await rm(blobDir, { recursive: true, force: true });
    },
  };
}
