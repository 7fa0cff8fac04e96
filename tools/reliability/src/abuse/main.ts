import type { ServiceName } from '@f2f/launcher';

import { ensureInfrastructure, parseArgs, renderTable, startTestPlatform } from '@f2f/harness';
import type { AbuseCase } from './case';
import { imageCorpus } from './corpus-images';
import { requestCorpus } from './corpus-requests';
import { makeContext, startReceiver } from './fixtures';
import {
  type CaseResult,
  caseViolations,
  MEMORY_LIMIT_BYTES,
  MemorySampler,
  runCase,
  SLOW_MS,
} from './run-abuse';

export const ABUSE_USAGE = `npm run abuse [-- options]
  --only TEXT   only the cases whose name contains TEXT (e.g. inline:png-real, cross-tenant:)
  --list        print the corpus's case names and exit
  --ci          the whole corpus (the same run; the flag names the CI step)`;

const mib = (bytes: number) => `${Math.round(bytes / 1024 ** 2)}`;

function categoryRows(results: CaseResult[]): (string | number)[][] {
  const categories = [...new Set(results.map((r) => r.category))];
  return [...categories, 'all'].map((category) => {
    const rs = category === 'all' ? results : results.filter((r) => r.category === category);
    return [
      category,
      rs.length,
      rs.reduce((n, r) => n + r.crashed.length + r.hung.length, 0),
      rs.reduce((n, r) => n + r.internalErrors.length, 0),
      rs.filter((r) => r.leaked).length,
      rs.filter((r) => r.longestMs > SLOW_MS).length,
      Math.round(Math.max(0, ...rs.map((r) => r.longestMs))),
    ];
  });
}

async function corpus(gatewayOrigin: string, only: string | undefined): Promise<AbuseCase[]> {
  const all = [...(await imageCorpus(gatewayOrigin)), ...requestCorpus()];
  // Destructive cross-tenant cases (revoke, delete) run last, so that a platform that lets them
  // through does not hide the other cases' findings.
  const destructive = (c: AbuseCase) => /revoke|delete/.test(c.name);
  const ordered = [...all.filter((c) => !destructive(c)), ...all.filter(destructive)];
  return only ? ordered.filter((c) => c.name.includes(only)) : ordered;
}

/** `npm run abuse`: the generated corpus against a fresh platform; exit 1 when anything gave. */
export async function main(argv: string[]): Promise<number> {
  const { flags, values } = parseArgs(argv);
  if (flags.has('help')) {
    console.log(ABUSE_USAGE);
    return 0;
  }
  if (flags.has('list')) {
    for (const c of await corpus('http://127.0.0.1:4000', values.get('only'))) console.log(c.name);
    return 0;
  }
  const infra = await ensureInfrastructure();
  const test = await startTestPlatform(infra, 'abuse');
  const receiver = await startReceiver();
  const sampler = new MemorySampler(test.platform);
  sampler.start();
  const results: CaseResult[] = [];
  try {
    console.error(`platform up; service logs in ${test.logDir}; creating tenants A and B…`);
    const ctx = await makeContext(test.platform, receiver.url);
    const cases = await corpus(ctx.gatewayOrigin, values.get('only'));
    console.error(`${cases.length} hostile inputs`);
    for (const [i, c] of cases.entries()) {
      if (i % 25 === 0) console.error(`  ${i}/${cases.length}…`);
      const result = await runCase(ctx, c);
      const problems = caseViolations(result);
      if (problems.length)
        console.error(`  ${c.name}: ${problems.join('; ')} [${result.answers.join(' | ')}]`);
      results.push(result);
    }
  } finally {
    sampler.stop();
    await receiver.stop();
    await test.stop();
  }
  return report(results, sampler.peakBytes);
}

function report(results: CaseResult[], peaks: Map<ServiceName, number>): number {
  console.log(
    renderTable(
      [
        'category',
        'inputs',
        'crashes/hangs',
        'internal errors',
        'cross-tenant reads',
        'over 2 s',
        'longest ms',
      ],
      categoryRows(results),
    ),
  );
  console.log();
  console.log(
    renderTable(
      ['service', 'peak RSS MiB'],
      [...peaks].map(([name, bytes]) => [name, mib(bytes)]),
    ),
  );
  const failing = results.filter((r) => caseViolations(r).length > 0);
  const heavy = [...peaks].filter(([, bytes]) => bytes > MEMORY_LIMIT_BYTES);
  for (const r of failing) console.log(`FAIL ${r.name}: ${caseViolations(r).join('; ')}`);
  for (const [name, bytes] of heavy) console.log(`FAIL ${name} peaked at ${mib(bytes)} MiB (limit 1024)`);
  console.log(`${failing.length} of ${results.length} inputs failed; ${heavy.length} service(s) over 1 GiB`);
  return failing.length + heavy.length > 0 ? 1 : 0;
}
