import { randomBytes } from 'node:crypto';

import { type GatewayClient, sourceImage, TERMINAL_STATUSES as TERMINAL } from '@f2f/harness';

/** The options of the measured edits: 49 frames of 50 steps (the defaults), no VLM needed. */
export const EDIT_OPTIONS = { captionMode: 'TARGET', selection: 'LAST_FRAME' } as const;

/** Runs `count` edits through the gateway, one after another, each to its end; their final statuses. */
export async function runEdits(client: GatewayClient, count: number, timeoutMs: number): Promise<string[]> {
  const image = (await sourceImage(320, 240)).toString('base64');
  const statuses: string[] = [];
  for (let i = 0; i < count; i++) {
    const { createEdit } = await client.data<{ createEdit: { id: string } }>(
      `mutation($input: CreateEditInput!) { createEdit(input: $input) { id } }`,
      {
        input: {
          imageBase64: image,
          targetCaption: `A photo of a sitting dog, edit ${i}.`,
          options: { ...EDIT_OPTIONS, seed: i },
          idempotencyKey: `bench-database-${i}-${randomBytes(6).toString('hex')}`,
        },
      },
    );
    statuses.push(await waitTerminal(client, createEdit.id, timeoutMs));
  }
  return statuses;
}

async function waitTerminal(client: GatewayClient, id: string, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { edit } = await client.data<{ edit: { status: string } | null }>(
      `query($id: ID!) { edit(id: $id) { status } }`,
      { id },
    );
    if (edit && TERMINAL.has(edit.status)) return edit.status;
    if (Date.now() > deadline)
      throw new Error(`edit ${id} not finished within ${timeoutMs} ms (${edit?.status})`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
