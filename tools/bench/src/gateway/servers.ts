import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { sleep } from '@f2f/common';
import { freePort, REPO_ROOT, type RunningPlatform } from '@f2f/launcher';

/** A gateway started by the benchmark, as a child process of its own. */
export interface BenchServer {
  name: string;
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** The subgraphs' names in the supergraph (join__graph) and the platform services that serve them. */
const SUBGRAPHS = ['edits', 'captioning', 'frame-selection', 'metrics', 'webhooks'] as const;

/**
 * The project's supergraph (services/gateway/supergraph.graphql, as scripts/codegen.js composed it)
 * with each subgraph's URL pointed at this platform's process: the only change.
 */
export async function localSupergraph(platform: RunningPlatform, file: string): Promise<string> {
  let sdl = await readFile(path.join(REPO_ROOT, 'services', 'gateway', 'supergraph.graphql'), 'utf8');
  for (const name of SUBGRAPHS) {
    const pattern = new RegExp(`(@join__graph\\(name: "${name}", url: ")[^"]*(")`);
    if (!pattern.test(sdl)) throw new Error(`the supergraph has no subgraph named ${name}`);
    sdl = sdl.replace(pattern, `$1http://127.0.0.1:${platform.ports[name]}/graphql$2`);
  }
  await writeFile(file, sdl);
  return file;
}

async function waitHealthy(url: string, child: ChildProcess, name: string, logFile: string): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`${name} exited with code ${child.exitCode} (see ${logFile})`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await sleep(250);
  }
  throw new Error(`${name} did not become healthy within 120 s (see ${logFile})`);
}

function stopper(child: ChildProcess): () => Promise<void> {
  return async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await gone;
    clearTimeout(timer);
  };
}

async function startChild(
  name: string,
  args: string[],
  env: Record<string, string>,
  logDir: string,
  healthPath: string,
): Promise<BenchServer> {
  const port = Number(env.PORT);
  mkdirSync(logDir, { recursive: true });
  const logFile = path.join(logDir, `${name}.log`);
  const child = spawn(process.execPath, args, { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const out = createWriteStream(logFile, { flags: 'a' });
  child.stdout?.pipe(out);
  child.stderr?.pipe(out);
  const server = { name, url: `http://127.0.0.1:${port}/graphql`, child, stop: stopper(child) };
  try {
    await waitHealthy(`http://127.0.0.1:${port}${healthPath}`, child, name, logFile);
  } catch (error) {
    await server.stop();
    throw error;
  }
  return server;
}

/**
 * Another instance of the project's gateway (services/gateway/dist) beside the platform's, on the
 * platform's subgraphs, with these settings over the platform's (e.g. AUTH_DISABLED_TENANT, or
 * NODE_OPTIONS=--cpu-prof to profile it).
 */
export async function startOurGateway(
  platform: RunningPlatform,
  name: string,
  env: Record<string, string>,
  logDir: string,
): Promise<BenchServer> {
  const entry = path.join(REPO_ROOT, 'services', 'gateway', 'dist', 'main.js');
  const port = await freePort();
  const all = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    ...platform.envFor('gateway'),
    PORT: String(port),
    ...env,
  };
  return startChild(name, ['--enable-source-maps', entry, ...[]], all, logDir, '/health');
}

/**
 * Hive Gateway (@graphql-hive/gateway's runtime, in hive-server.js) on the same supergraph file,
 * sending the subgraphs the same signed tenant context as ours with auth off.
 */
export async function startHiveGateway(
  supergraphFile: string,
  tenantId: string,
  tenantContextSecret: string,
  logDir: string,
): Promise<BenchServer> {
  const port = await freePort();
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    PORT: String(port),
    SUPERGRAPH_FILE: supergraphFile,
    TENANT_ID: tenantId,
    TENANT_CONTEXT_SECRET: tenantContextSecret,
  };
  return startChild('hive-gateway', [path.join(__dirname, 'hive-server.js')], env, logDir, '/healthcheck');
}
