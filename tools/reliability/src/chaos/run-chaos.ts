import { sleep } from '@f2f/common';
import {
  GatewayClient,
  type Infrastructure,
  sourceImage,
  START_TIMEOUT_MS,
  TERMINAL_STATUSES as TERMINAL,
  type TestPlatform,
} from '@f2f/harness';

import { inspectEdit, statuses, submitEdit, submitEdits, waitInFlight, waitTerminal } from './edits';
import type { Fault, FaultContext } from './faults';

export interface ChaosSettings {
  /** Edits in flight when the fault strikes. */
  edits: number;
  /** How long the part stays down before it is brought back. */
  downMs: number;
  /** How long after recovery every edit has to reach a terminal status. */
  settleMs: number;
  /** How long the platform has to answer and complete a fresh edit after recovery. */
  recoverTimeoutMs: number;
}

/** The figures of one fault. */
export interface FaultResult {
  fault: string;
  edits: number;
  lost: number;
  stuck: number;
  failed: number;
  duplicatedHistory: number;
  duplicatedFrames: number;
  /** Other services whose process exited because of the fault (each was started again). */
  collateralExits: string[];
  /** From the start of recovery until the platform answered and a new edit completed; undefined: it did not. */
  recoverMs: number | undefined;
  /** Something the suite itself could not do (submit, inject, recover). */
  error?: string;
}

/** Waits until the gateway answers and a new edit completes; the time it took, or undefined. */
async function timeToRecover(client: GatewayClient, image: Buffer, started: number, timeoutMs: number) {
  const deadline = started + timeoutMs;
  let probe: string | undefined;
  while (Date.now() < deadline && !probe) {
    probe = await submitEdit(client, image, 9000 + (Date.now() % 1000)).catch(() => undefined);
    if (!probe) await sleep(500);
  }
  if (!probe) return undefined;
  while (Date.now() < deadline) {
    const status = (await statuses(client, [probe]).catch(() => undefined))?.get(probe);
    if (status === 'COMPLETED') return Date.now() - started;
    if (status && TERMINAL.has(status)) return undefined;
    await sleep(250);
  }
  return undefined;
}

/** Starts again every service whose process is gone (a fault elsewhere made it exit). */
async function restartExited(ctx: FaultContext): Promise<string[]> {
  const gone = ctx.platform.instances.filter((name) => ctx.platform.pid(name) === undefined);
  for (const name of gone) await ctx.platform.start(name, START_TIMEOUT_MS).catch(() => undefined);
  return gone;
}

/** A fault's figures before anything is counted. */
function emptyResult(fault: string, edits: number): FaultResult {
  return {
    fault,
    edits,
    lost: 0,
    stuck: 0,
    failed: 0,
    duplicatedHistory: 0,
    duplicatedFrames: 0,
    collateralExits: [],
    recoverMs: undefined,
  };
}

async function measure(
  ctx: FaultContext,
  fault: Fault,
  ids: string[],
  settings: ChaosSettings,
  image: Buffer,
) {
  const client = new GatewayClient(ctx.platform.gatewayUrl, ctx.platform.apiKey);
  const result = emptyResult(fault.name, ids.length);
  await waitInFlight(client, ids);
  await fault.inject(ctx);
  await sleep(settings.downMs);
  const started = Date.now();
  await fault.recover(ctx);
  // Give the others a moment to notice (a lost broker or database), then bring back what died.
  await sleep(2000);
  result.collateralExits = await restartExited(ctx);
  result.recoverMs = await timeToRecover(client, image, started, settings.recoverTimeoutMs);
  const last = await waitTerminal(client, ids, settings.settleMs);
  for (const id of ids) {
    const findings = await inspectEdit(client, id).catch(() => undefined);
    const status = findings?.status ?? last.get(id) ?? null;
    if (findings && !findings.found) result.lost++;
    else if (!status || !TERMINAL.has(status)) result.stuck++;
    if (status === 'FAILED') result.failed++;
    result.duplicatedHistory += findings?.duplicatedHistory ?? 0;
    result.duplicatedFrames += findings?.duplicatedFrames ?? 0;
  }
  return result;
}

/** Runs one fault during `settings.edits` in-flight edits and measures what it did to them. */
export async function runFault(
  test: TestPlatform,
  infra: Infrastructure,
  fault: Fault,
  settings: ChaosSettings,
): Promise<FaultResult> {
  const ctx: FaultContext = { platform: test.platform, infra };
  const client = new GatewayClient(test.platform.gatewayUrl, test.platform.apiKey);
  const image = await sourceImage();
  let ids: string[] = [];
  try {
    ids = await submitEdits(client, image, settings.edits);
    return await measure(ctx, fault, ids, settings, image);
  } catch (error) {
    await restartExited(ctx);
    return {
      ...emptyResult(fault.name, ids.length),
      error: error instanceof Error ? error.message : String(error),
    };
  }
}

/** The figures over their thresholds (0 lost, 0 stuck, 0 duplicated, recovered). */
export function violations(r: FaultResult): string[] {
  const out: string[] = [];
  if (r.error) out.push(`the suite could not run it: ${r.error}`);
  if (r.lost > 0) out.push(`${r.lost} edit(s) lost`);
  if (r.stuck > 0) out.push(`${r.stuck} edit(s) stuck`);
  if (r.duplicatedHistory > 0) out.push(`${r.duplicatedHistory} duplicated history entr(y/ies)`);
  if (r.duplicatedFrames > 0) out.push(`${r.duplicatedFrames} duplicated frame(s)`);
  if (r.recoverMs === undefined && !r.error) out.push('no new edit completed after recovery');
  return out;
}
