import { randomBytes } from 'node:crypto';

import { type GatewayClient, sourceImage } from '@f2f/harness';

const CREATE_EDIT = `mutation($input: CreateEditInput!) { createEdit(input: $input) { id } }`;

/**
 * Creates one edit; a refused or failed request (a loaded machine's timeouts) is sent again with
 * the same idempotency key, so that it creates the edit at most once.
 */
async function createEdit(client: GatewayClient, image: string, i: number, attempts = 5): Promise<string> {
  const idempotencyKey = `bench-subscriptions-${i}-${randomBytes(6).toString('hex')}`;
  for (let attempt = 1; ; attempt++) {
    try {
      const data = await client.data<{ createEdit: { id: string } }>(CREATE_EDIT, {
        input: {
          imageBase64: image,
          targetCaption: `A photo of a sitting dog, subscriber ${i}.`,
          options: { captionMode: 'TARGET', selection: 'LAST_FRAME', seed: i },
          idempotencyKey,
        },
      });
      return data.createEdit.id;
    } catch (error) {
      if (attempt >= attempts) throw error;
      await new Promise((r) => setTimeout(r, 500 * attempt));
    }
  }
}

/** Creates `count` edits through the gateway, `concurrency` at a time; their ids in order. */
export async function createEdits(client: GatewayClient, count: number, concurrency = 8): Promise<string[]> {
  const image = (await sourceImage()).toString('base64');
  const ids: string[] = new Array<string>(count);
  let next = 0;
  const run = async () => {
    for (let i = next++; i < count; i = next++) ids[i] = await createEdit(client, image, i);
  };
  await Promise.all(Array.from({ length: concurrency }, run));
  return ids;
}
