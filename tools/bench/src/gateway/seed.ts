import { randomBytes } from 'node:crypto';

import { sleep } from '@f2f/common';
import { type GatewayClient, sourceImage, TERMINAL_STATUSES as TERMINAL } from '@f2f/harness';

/**
 * Creates `count` edits of `frames` frames through the gateway (target caption, last frame: no VLM)
 * and waits until every one is COMPLETED with its metrics; their ids.
 */
export async function seedEdits(
  client: GatewayClient,
  count: number,
  frames: number,
  timeoutMs: number,
): Promise<string[]> {
  const image = (await sourceImage()).toString('base64');
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const data = await client.data<{ createEdit: { id: string } }>(
      `mutation($input: CreateEditInput!) { createEdit(input: $input) { id } }`,
      {
        input: {
          imageBase64: image,
          targetCaption: `A photo of a sitting dog, bench ${i}.`,
          options: { captionMode: 'TARGET', selection: 'LAST_FRAME', frames, steps: 8, seed: 100 + i },
          idempotencyKey: `bench-gateway-${i}-${randomBytes(6).toString('hex')}`,
        },
      },
    );
    ids.push(data.createEdit.id);
  }
  await waitMeasured(client, ids, frames, timeoutMs);
  return ids;
}

/** Waits until every edit is COMPLETED and its frames' metrics are in; throws past the deadline. */
async function waitMeasured(client: GatewayClient, ids: string[], frames: number, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  const fields = ids
    .map((id, i) => `e${i}: edit(id: ${JSON.stringify(id)}) { status frames { metrics { ssim } } }`)
    .join('\n');
  let last = '';
  while (Date.now() < deadline) {
    const data = await client.data<Record<string, { status: string; frames: { metrics: unknown }[] }>>(
      `{ ${fields} }`,
    );
    const edits = Object.values(data);
    const failed = edits.filter((e) => TERMINAL.has(e.status) && e.status !== 'COMPLETED');
    if (failed.length) throw new Error(`a seeded edit ended ${failed[0].status}`);
    const done = edits.filter(
      (e) => e.status === 'COMPLETED' && e.frames.length === frames && e.frames.every((f) => f.metrics),
    );
    if (done.length === ids.length) return;
    last = edits.map((e) => `${e.status}/${e.frames.filter((f) => f.metrics).length}`).join(' ');
    await sleep(1000);
  }
  throw new Error(`the seeded edits were not all completed and measured in time: ${last}`);
}
