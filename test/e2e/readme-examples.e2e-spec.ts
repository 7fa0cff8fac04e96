import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

import { sleep } from '@f2f/common';
import { REPO_ROOT, type RunningPlatform, startPlatform } from '@f2f/launcher';
import { type DocumentNode, Kind, parse } from 'graphql';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

import type { PrismaClient as EditsClient } from '../../services/edits/src/database';
import { editsDatabase } from '../support/service-databases';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { testInfrastructure } from '../support/env';
import {
  type CodeBlock,
  matchAnswer,
  placeholders,
  readmeBlocks,
  type ShellCommand,
  shellCommands,
} from '../support/readme-examples';

/**
 * Every request the README shows, run against a started platform as a reader would run it: the
 * shell examples in bash (curl against the gateway, its host put in place of localhost:4000), each
 * `# =>` answer matched (and its <PLACEHOLDERS> bound for the commands after it), and every GraphQL
 * block executed with the variables it declares. An example that drifts from the API fails here.
 */
jest.setTimeout(600_000);

const README = path.join(REPO_ROOT, 'README.md');
const run = promisify(execFile);

let db: TestDatabase<EditsClient>;
let platform: RunningPlatform;
let workDir: string;

beforeAll(async () => {
  const { kafkaBrokers } = testInfrastructure();
  db = await createTestDatabase('e2e_readme', editsDatabase);
  workDir = await mkdtemp(path.join(os.tmpdir(), 'f2f-e2e-readme-'));
  platform = await startPlatform({
    databaseUrl: db.url,
    kafkaBrokers,
    topicPrefix: `e2er${randomBytes(4).toString('hex')}.`,
    blobDir: path.join(workDir, 'blobs'),
    logDir: path.join(REPO_ROOT, '.cache', 'test-logs', `e2e-readme-${Date.now()}`),
    stepDelayMs: 5,
  });
});

afterAll(async () => {
  await platform?.stop();
  await db?.drop();
});

const gatewayHost = () => new URL(platform.gatewayUrl).host;
/** The README's examples name the gateway of `npm start`; here it runs on a port of its own. */
const localise = (text: string) => text.replace(/(localhost|127\.0\.0\.1):4000/g, gatewayHost());

function substitute(text: string, bound: Record<string, string>): string {
  return text.replace(/<([A-Za-z][\w-]*)>/g, (whole, name: string) => {
    if (bound[name] === undefined) throw new Error(`${whole} is used before an answer binds it`);
    return bound[name];
  });
}

/** Runs one README command in bash; retries until its answer matches (the README's "later"). */
async function runCommand(
  command: ShellCommand,
  prelude: string[],
  bound: Record<string, string>,
): Promise<string> {
  const script = [...prelude, substitute(localise(command.text), bound)].join('\n');
  const deadline = Date.now() + 180_000;
  for (;;) {
    const { stdout } = await run('bash', ['-euo', 'pipefail', '-c', script], {
      cwd: workDir,
      env: { ...process.env, F2F_API_KEY: platform.apiKey, NODE_PATH: path.join(REPO_ROOT, 'node_modules') },
      maxBuffer: 64 * 1024 * 1024,
    });
    if (!command.expected) {
      if (stdout.trim().startsWith('{')) expect(JSON.parse(stdout)).not.toHaveProperty('errors');
      return stdout;
    }
    const expected = localise(command.expected);
    const matched = matchAnswer(expected, stdout, bound);
    if (matched) {
      Object.assign(bound, matched);
      return stdout;
    }
    // An answer with errors never turns into the README's answer by waiting.
    if (Date.now() > deadline || /"errors":/.test(stdout)) {
      throw new Error(
        `the README answer\n  ${expected}\ndoes not match what the command printed\n  ${stdout}`,
      );
    }
    await sleep(500);
  }
}

/** A shell block's commands in order; variable assignments (IMG=...) carry over to later commands. */
async function runShellBlock(block: CodeBlock): Promise<Record<string, string>> {
  const bound: Record<string, string> = {};
  const prelude: string[] = [];
  for (const command of shellCommands(block.code)) {
    if (/^[A-Z_]+=/.test(command.text)) {
      prelude.push(command.text);
      continue;
    }
    await runCommand(command, prelude, bound);
  }
  return bound;
}

async function gql(query: string, variables: Record<string, unknown>) {
  const res = await fetch(platform.gatewayUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${platform.apiKey}` },
    body: JSON.stringify({ query, variables }),
  });
  return (await res.json()) as { data?: Record<string, unknown>; errors?: unknown[] };
}

/** The first few entries of a subscription (replayed from the history of a finished edit). */
function subscribeOnce(query: string, variables: Record<string, unknown>) {
  const client = createClient({
    url: platform.gatewayUrl.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${platform.apiKey}` },
    retryAttempts: 0,
  });
  return new Promise<{ data?: Record<string, unknown> | null; errors?: readonly unknown[] }>(
    (resolve, reject) => {
      const stop = client.subscribe(
        { query, variables },
        {
          next: (result) => {
            stop();
            resolve(result);
          },
          error: reject,
          complete: () => undefined,
        },
      );
    },
  ).finally(() => client.dispose());
}

const rootField = (doc: DocumentNode): string => {
  const op = doc.definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION)!;
  const first = op.selectionSet.selections[0];
  return first.kind === Kind.FIELD ? first.name.value : '';
};

describe('the README examples, run against a started platform', () => {
  const blocks = readmeBlocks(README);
  const shell = blocks.filter((b) => b.lang === 'bash' && /\bcurl\b/.test(b.code));
  const graphql = blocks.filter((b) => b.lang === 'graphql');
  /** Values the GraphQL blocks' variables take, from what earlier examples made. */
  const made: Record<string, string> = {};

  it('finds the examples (so that none is skipped unnoticed)', () => {
    expect(shell.length).toBeGreaterThanOrEqual(2);
    expect(graphql.length).toBeGreaterThanOrEqual(3);
    for (const block of shell) {
      // every placeholder a command uses is bound by an answer before it
      const bindable = new Set(
        shellCommands(block.code).flatMap((c) => (c.expected ? placeholders(c.expected) : [])),
      );
      for (const name of shellCommands(block.code).flatMap((c) => placeholders(c.text))) {
        expect({ line: block.line, name, bound: bindable.has(name) }).toEqual({
          line: block.line,
          name,
          bound: true,
        });
      }
    }
  });

  it('the shell examples: every curl answers as the README shows', async () => {
    for (const block of shell) {
      const bound = await runShellBlock(block);
      if (bound.ID) made.editId = bound.ID;
    }
    expect(made.editId).toMatch(/\S/);
    // the last command of the upload example saved the selected frame
    const result = await readFile(path.join(workDir, 'result.png'));
    expect(result.subarray(1, 4).toString('latin1')).toBe('PNG');
  });

  it('the GraphQL blocks: each parses and runs without errors', async () => {
    for (const block of graphql) {
      const doc = parse(block.code);
      const field = rootField(doc);
      const variables: Record<string, unknown> =
        field === 'editUpdated'
          ? { id: made.editId, after: 0 }
          : field === 'webhookEndpoint'
            ? { id: made.endpointId, cursor: null }
            : {};
      const isSubscription = doc.definitions.some(
        (d) => d.kind === Kind.OPERATION_DEFINITION && d.operation === 'subscription',
      );
      const res = isSubscription
        ? await subscribeOnce(block.code, variables)
        : await gql(block.code, variables);
      expect({ line: block.line, errors: res.errors }).toEqual({ line: block.line, errors: undefined });
      const data = res.data![field] as Record<string, unknown>;
      expect(data).toBeTruthy();
      if (field === 'createWebhookEndpoint') {
        made.endpointId = (data.endpoint as { id: string }).id;
      }
    }
    expect(made.endpointId).toMatch(/\S/);
  });
});
