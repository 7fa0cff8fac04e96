import { randomBytes } from 'node:crypto';

import type { GatewayClient } from '@f2f/harness';
import sharp from 'sharp';

const TERMINAL = new Set(['COMPLETED', 'FAILED', 'CANCELLED']);

/** The options of the measured edits: 49 frames of 50 steps (the defaults), no VLM needed. */
export const EDIT_OPTIONS = { captionMode: 'TARGET', selection: 'LAST_FRAME' } as const;

async function sourceImage(): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="320" height="240">
    <defs><linearGradient id="g"><stop offset="0" stop-color="#1f6feb"/><stop offset="1" stop-color="#f2cc60"/></linearGradient></defs>
    <rect width="100%" height="100%" fill="url(#g)"/><circle cx="110" cy="130" r="60" fill="#8b3a2b"/></svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}

/** Runs `count` edits through the gateway, one after another, each to its end; their final statuses. */
export async function runEdits(client: GatewayClient, count: number, timeoutMs: number): Promise<string[]> {
  const image = (await sourceImage()).toString('base64');
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
