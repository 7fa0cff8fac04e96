import { sleep } from '@f2f/common';

/** A GraphQL request through the gateway as some tenant (each e2e file has its own client). */
export type AskGateway = <T>(
  query: string,
  variables: Record<string, unknown>,
) => Promise<{ data?: T; errors?: unknown[] }>;

/**
 * Polls `edit(id) { status }` every `pollMs` until it is one of `statuses`; returns it, or fails
 * after the timeout.
 */
export async function waitForEditStatus(
  ask: AskGateway,
  id: string,
  statuses: string[],
  timeoutMs = 120_000,
  pollMs = 500,
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    const res = await ask<{ edit: { status: string } | null }>(
      `query($id: ID!) { edit(id: $id) { status } }`,
      {
        id,
      },
    );
    last = res.data?.edit?.status ?? JSON.stringify(res.errors);
    if (statuses.includes(last)) return last;
    await sleep(pollMs);
  }
  throw new Error(`edit ${id} is ${last}, not ${statuses.join('|')}, after ${timeoutMs} ms`);
}
