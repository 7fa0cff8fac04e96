// The lint rules that hold the architecture, run through ESLint's Node API with the repository's
// own eslint.config.mjs (in a node process: see lint-texts.mjs): module boundaries from the Nx
// project graph and tags, and "only repositories touch the database".
import path from 'node:path';

import { runNodeScript } from '../../test/support/node-script';

const REPO = path.resolve(__dirname, '../..');
const LINT_TEXTS = path.join(__dirname, 'lint-texts.mjs');
const BOUNDARY_RULE = '@nx/enforce-module-boundaries';

interface LintCase {
  filePath: string;
  code: string;
}
interface LintMessage {
  ruleId: string | null;
  message: string;
  line: number;
}
interface LintRun {
  results: { filePath: string; messages: LintMessage[] }[];
  pending: { repositoryMoves: string[]; boundaryFixes: string[]; repositoriesOnly: string };
}

function lintTexts(cases: LintCase[]): LintRun {
  const run = runNodeScript<LintRun>(LINT_TEXTS, cases, REPO);
  if (run.results.length !== cases.length) throw new Error(`${LINT_TEXTS}: ${run.results.length} results`);
  return run;
}

/** Where each case is in the batch, so that one node process (one config load) lints them all. */
const cases: Record<string, LintCase> = {
  serviceImportsService: {
    filePath: 'services/edits/src/probe/probe.ts',
    code: "import { MetricsModule } from '@f2f/metrics';\nexport const m = MetricsModule;\n",
  },
  serviceReachesIntoService: {
    filePath: 'services/edits/src/probe/probe.ts',
    code: "import { config } from '../../../metrics/src/config';\nexport const c = config;\n",
  },
  libImportsService: {
    filePath: 'libs/common/src/probe.ts',
    code: "import { EditsModule } from '@f2f/edits';\nexport const m = EditsModule;\n",
  },
  toolImportsService: {
    filePath: 'tools/eval/src/probe.ts',
    code: "import { EditsModule } from '@f2f/edits';\nexport const m = EditsModule;\n",
  },
  serviceImportsSharedLib: {
    filePath: 'services/edits/src/probe/probe.ts',
    code: "import { ErrorCode } from '@f2f/common';\nimport { Topic } from '@f2f/contracts';\nexport const all = [ErrorCode, Topic];\n",
  },
  toolImportsSharedLib: {
    filePath: 'tools/reliability/src/probe.ts',
    code: "import { ErrorCode } from '@f2f/common';\nexport const e = ErrorCode;\n",
  },
  useCaseWritesThroughTx: {
    filePath: 'services/edits/src/probe/make-probe.use-case.ts',
    code: [
      "import type { Tx } from '@f2f/database';",
      'export async function makeProbe(tx: Tx): Promise<unknown> {',
      "  return tx.edit.create({ data: { id: 'e' } as never });",
      '}',
      '',
    ].join('\n'),
  },
  repositoryWritesThroughTx: {
    filePath: 'services/edits/src/probe/probes.repository.ts',
    code: [
      "import { Prisma, type PrismaClient, type Tx } from '@f2f/database';",
      "import { PRISMA } from '@f2f/platform';",
      'export const token = PRISMA;',
      'export async function makeProbe(tx: Tx): Promise<unknown> {',
      "  return tx.edit.create({ data: { id: 'e' } as never });",
      '}',
      'export async function countProbes(prisma: PrismaClient): Promise<unknown> {',
      '  return prisma.$queryRaw(Prisma.sql`SELECT 1`);',
      '}',
      '',
    ].join('\n'),
  },
  useCaseImportsClientValues: {
    filePath: 'services/edits/src/probe/probe.use-case.ts',
    code: [
      "import { Prisma, createDatabase } from '../database';",
      "import { PRISMA } from '@f2f/platform';",
      'export const all = [Prisma, createDatabase, PRISMA];',
      '',
    ].join('\n'),
  },
  useCaseImportsRowTypes: {
    filePath: 'services/edits/src/probe/probe.use-case.ts',
    code: [
      "import type { Edit, Prisma, PrismaClient, Tx } from '../database';",
      "import { asTenantId } from '@f2f/database';",
      'export type Rows = [Edit, Prisma.EditWhereInput, PrismaClient, Tx];',
      "export const tenant = asTenantId('t');",
      '',
    ].join('\n'),
  },
  resolverUsesInjectedClient: {
    filePath: 'services/edits/src/probe/probe.resolver.ts',
    code: [
      "import type { PrismaClient } from '@f2f/database';",
      'export class ProbeResolver {',
      '  constructor(private readonly prisma: PrismaClient) {}',
      '  probe(): Promise<unknown> {',
      '    return this.prisma.$transaction(async (t) => t.edit.count());',
      '  }',
      '}',
      '',
    ].join('\n'),
  },
  rawQueryOnAnyClient: {
    filePath: 'services/edits/src/probe/probe.handler.ts',
    code: [
      "import type { PrismaClient } from '@f2f/database';",
      'export const lock = (db: PrismaClient): Promise<unknown> => db.$executeRaw`SELECT 1`;',
      '',
    ].join('\n'),
  },
  specWritesThroughTx: {
    filePath: 'services/edits/src/probe/__tests__/probe.spec.ts',
    code: [
      "import type { Tx } from '@f2f/database';",
      "export const seed = (tx: Tx): Promise<unknown> => tx.edit.create({ data: { id: 'e' } as never });",
      '',
    ].join('\n'),
  },
};

const names = Object.keys(cases);
let run: LintRun;
const messagesOf = (name: string): LintMessage[] => run.results[names.indexOf(name)]!.messages;
const rulesOf = (name: string): (string | null)[] => messagesOf(name).map((m) => m.ruleId);

beforeAll(() => {
  run = lintTexts(Object.values(cases));
}, 120_000);

describe('module boundaries (@nx/enforce-module-boundaries, tags in package.json nx.tags)', () => {
  it('refuses a service importing another service', () => {
    expect(messagesOf('serviceImportsService')).toEqual([
      expect.objectContaining({ ruleId: BOUNDARY_RULE, line: 1, message: expect.stringMatching(/apps/) }),
    ]);
  });

  it('refuses a relative path into another service', () => {
    expect(messagesOf('serviceReachesIntoService')).toEqual([
      expect.objectContaining({
        ruleId: BOUNDARY_RULE,
        message: expect.stringMatching(/relative or absolute path/),
      }),
    ]);
  });

  it('refuses a lib or a tool importing a service', () => {
    expect(rulesOf('libImportsService')).toEqual([BOUNDARY_RULE]);
    expect(rulesOf('toolImportsService')).toEqual([BOUNDARY_RULE]);
  });

  it('lets services and tools import the shared libs', () => {
    expect(messagesOf('serviceImportsSharedLib')).toEqual([]);
    expect(messagesOf('toolImportsSharedLib')).toEqual([]);
  });
});

describe('only repositories touch the database', () => {
  it('refuses a use case writing through the transaction, saying where the code belongs', () => {
    expect(messagesOf('useCaseWritesThroughTx')).toEqual([
      { ruleId: 'no-restricted-syntax', message: run.pending.repositoriesOnly, line: 3 },
    ]);
    expect(run.pending.repositoriesOnly).toMatch(/\*\.repository\.ts/);
  });

  it('lets a *.repository.ts use the client, its namespace, the token and the transaction', () => {
    expect(messagesOf('repositoryWritesThroughTx')).toEqual([]);
  });

  it('refuses value imports of the client, the Prisma namespace, the factory and the PRISMA token', () => {
    const messages = messagesOf('useCaseImportsClientValues');
    expect(messages.map((m) => [m.ruleId, m.line])).toEqual([
      ['@typescript-eslint/no-restricted-imports', 1],
      ['@typescript-eslint/no-restricted-imports', 1],
      ['@typescript-eslint/no-restricted-imports', 2],
    ]);
    for (const m of messages) expect(m.message).toContain(run.pending.repositoriesOnly);
  });

  it('allows type-only imports of rows and the client type, and value helpers such as asTenantId', () => {
    expect(messagesOf('useCaseImportsRowTypes')).toEqual([]);
  });

  it('refuses this.prisma.$transaction once, and a raw query on a client of any name', () => {
    expect(messagesOf('resolverUsesInjectedClient')).toEqual([
      { ruleId: 'no-restricted-syntax', message: run.pending.repositoriesOnly, line: 5 },
    ]);
    expect(messagesOf('rawQueryOnAnyClient')).toEqual([
      { ruleId: 'no-restricted-syntax', message: run.pending.repositoriesOnly, line: 2 },
    ]);
  });

  it('lets tests seed through the transaction', () => {
    expect(messagesOf('specWritesThroughTx')).toEqual([]);
  });
});

describe('the exemption lists', () => {
  it('are empty: every service keeps to its boundaries and only repositories touch the database', () => {
    expect(run.pending.repositoryMoves).toEqual([]);
    expect(run.pending.boundaryFixes).toEqual([]);
  });
});
