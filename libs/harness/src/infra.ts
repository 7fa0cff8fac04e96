import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';

import { REPO_ROOT } from '@f2f/launcher';
import { Client } from 'pg';

const run = promisify(execFile);

/** Where the suites find Postgres (an admin URL that may create databases) and Kafka. */
export interface Infrastructure {
  adminDatabaseUrl: string;
  kafkaBrokers: string;
}

async function infraScript(script: string, ...args: string[]): Promise<string> {
  const { stdout } = await run('bash', [`infra/${script}`, ...args], {
    cwd: REPO_ROOT,
    env: process.env,
    maxBuffer: 16 * 1024 * 1024,
  });
  return stdout.trim();
}

/**
 * The infrastructure named by TEST_DATABASE_URL and KAFKA_BROKERS (as scripts/test.js exports
 * them), else the project's own, started with infra/up.sh (idempotent: a running one is reused).
 */
export async function ensureInfrastructure(): Promise<Infrastructure> {
  const { TEST_DATABASE_URL, KAFKA_BROKERS } = process.env;
  if (TEST_DATABASE_URL && KAFKA_BROKERS)
    return { adminDatabaseUrl: TEST_DATABASE_URL, kafkaBrokers: KAFKA_BROKERS };
  console.error('starting Postgres and Kafka (infra/up.sh)…');
  const exports = await infraScript('up.sh');
  const env: Record<string, string> = {};
  for (const line of exports.split('\n')) {
    const m = /^export ([A-Z_]+)=(.*)$/.exec(line);
    if (m) env[m[1]] = m[2].replace(/^'(.*)'$/, '$1');
  }
  Object.assign(process.env, env);
  return { adminDatabaseUrl: await infraScript('postgres.sh', 'test-url'), kafkaBrokers: env.KAFKA_BROKERS };
}

/** The postmaster's pid: the parent of the backend that serves this connection. */
export async function postgresPid(adminDatabaseUrl: string): Promise<number> {
  const client = new Client({ connectionString: adminDatabaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    const status = await readFile(`/proc/${rows[0].pid}/status`, 'utf8');
    const ppid = /^PPid:\s+(\d+)/m.exec(status);
    if (!ppid) throw new Error('no PPid in /proc status of the Postgres backend');
    return Number(ppid[1]);
  } finally {
    await client.end();
  }
}

/** The local broker's pid, from the pid file infra/kafka.sh writes. */
export async function kafkaPid(): Promise<number> {
  const text = await readFile(`${REPO_ROOT}/.cache/kafka/kafka.pid`, 'utf8');
  return Number(text.trim());
}

/** Sends a signal to a process and waits until it is gone (a zombie counts as gone). */
export async function killProcess(pid: number, signal: NodeJS.Signals = 'SIGKILL', timeoutMs = 30_000) {
  process.kill(pid, signal);
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!(await isAlive(pid))) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`process ${pid} is still running ${timeoutMs} ms after ${signal}`);
}

async function isAlive(pid: number): Promise<boolean> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    return !/^State:\s+Z/m.test(status);
  } catch {
    return false;
  }
}

export const postgres = {
  start: () => infraScript('postgres.sh', 'start'),
  stop: () => infraScript('postgres.sh', 'stop'),
};

export const kafka = {
  start: () => infraScript('kafka.sh', 'start'),
  stop: () => infraScript('kafka.sh', 'stop'),
};
