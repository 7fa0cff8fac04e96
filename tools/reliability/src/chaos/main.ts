import { ensureInfrastructure, parseArgs, renderTable, seconds, startTestPlatform } from '@f2f/harness';
import { CI_FAULTS, selectFaults } from './faults';
import { type ChaosSettings, type FaultResult, runFault, violations } from './run-chaos';

export const CHAOS_USAGE = `npm run chaos [-- options]
  --faults a,b,c   only these faults (default: all; names in the table of RELIABILITY.md)
  --edits N        edits in flight per fault (default 20)
  --ci             the CI selection: ${CI_FAULTS.join(', ')} with 3 edits each`;

const HEADERS = [
  'fault',
  'edits',
  'lost',
  'stuck',
  'failed',
  'dup history',
  'dup frames',
  'other exits',
  'recover s',
];

function row(r: FaultResult): (string | number)[] {
  return [
    r.fault,
    r.edits,
    r.lost,
    r.stuck,
    r.failed,
    r.duplicatedHistory,
    r.duplicatedFrames,
    r.collateralExits.join(' ') || '-',
    r.recoverMs === undefined ? 'never' : seconds(r.recoverMs),
  ];
}

/** `npm run chaos`: each fault during in-flight edits; exit 1 when a figure is over its threshold. */
export async function main(argv: string[]): Promise<number> {
  const { flags, values } = parseArgs(argv);
  if (flags.has('help')) {
    console.log(CHAOS_USAGE);
    return 0;
  }
  const ci = flags.has('ci');
  const faults = selectFaults(values.get('faults')?.split(',') ?? (ci ? CI_FAULTS : undefined));
  const settings: ChaosSettings = {
    edits: Number(values.get('edits') ?? (ci ? 3 : 20)),
    downMs: 1000,
    settleMs: 120_000,
    recoverTimeoutMs: 90_000,
  };
  if (!Number.isInteger(settings.edits) || settings.edits < 1)
    throw new Error('--edits must be a positive integer');
  const infra = await ensureInfrastructure();
  // Raised limits: the suite measures faults, not the gateway's rate limit or the per-tenant cap.
  const test = await startTestPlatform(infra, 'chaos', {
    gateway: { RATE_LIMIT_PER_SECOND: '10000', RATE_LIMIT_BURST: '100000' },
    edits: { MAX_UNFINISHED_EDITS_PER_TENANT: '10000' },
  });
  console.error(`platform up; service logs in ${test.logDir}`);
  const results: FaultResult[] = [];
  try {
    for (const fault of faults) {
      console.error(`fault ${fault.name}: ${fault.description}, during ${settings.edits} edits…`);
      const result = await runFault(test, infra, fault, settings);
      console.error(`  ${row(result).join(' | ')}: ${violations(result).join('; ') || 'ok'}`);
      results.push(result);
    }
  } finally {
    await test.stop();
  }
  console.log(renderTable(HEADERS, results.map(row)));
  const failing = results.filter((r) => violations(r).length > 0);
  for (const r of failing) console.log(`FAIL ${r.fault}: ${violations(r).join('; ')}`);
  return failing.length > 0 ? 1 : 0;
}
