import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

import { sleep } from '@f2f/common';
import { exchange, GatewayClient, sourceImage, TERMINAL_STATUSES as TERMINAL } from '@f2f/harness';
import type { RunningPlatform } from '@f2f/launcher';

/** One tenant's key and the ids of everything it owns that an API call can name. */
export interface Tenant {
  tenantId: string;
  key: string;
  keyId: string;
  client: GatewayClient;
  image: Buffer;
  editId: string;
  frameIds: string[];
  frameUrl: string;
  uploadId: string;
  endpointId: string;
  deliveryId: string | undefined;
  exampleId: string;
  /** A second key of the tenant (createApiKey) whose id others may try to revoke. */
  extraKeyId: string;
  editsCursor: string | undefined;
  updatesCursor: string | undefined;
}

/** What the abuse cases act on: tenant A (the caller) and tenant B (whose data A must never see). */
export interface AbuseContext {
  platform: RunningPlatform;
  a: Tenant;
  b: Tenant;
  /** Strings only B's data holds: any of them in an answer to A is a cross-tenant read. */
  bMarkers: string[];
  gatewayOrigin: string;
  subgraphUrl(name: 'edits' | 'captioning' | 'metrics' | 'webhooks' | 'frame-selection'): string;
}

const EDIT = `mutation($input: CreateEditInput!) { createEdit(input: $input) { id } }`;

async function completedEdit(client: GatewayClient, image: Buffer, caption: string) {
  const { createEdit } = await client.data<{ createEdit: { id: string } }>(EDIT, {
    input: {
      imageBase64: image.toString('base64'),
      targetCaption: caption,
      options: { captionMode: 'TARGET', selection: 'LAST_FRAME', frames: 5, steps: 4, seed: 7 },
    },
  });
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    const { edit } = await client.data<{ edit: { status: string; frames: { id: string; url: string }[] } }>(
      `query($id: ID!) { edit(id: $id) { status frames { id url } } }`,
      { id: createEdit.id },
    );
    if (TERMINAL.has(edit.status)) {
      if (edit.status !== 'COMPLETED') throw new Error(`fixture edit ${createEdit.id} is ${edit.status}`);
      return { editId: createEdit.id, frameIds: edit.frames.map((f) => f.id), frameUrl: edit.frames[0].url };
    }
    await sleep(500);
  }
  throw new Error(`fixture edit ${createEdit.id} did not complete`);
}

async function uploadedImage(client: GatewayClient, image: Buffer): Promise<string> {
  const { createUpload } = await client.data<{ createUpload: { id: string; url: string } }>(
    `mutation($i: CreateUploadInput!) { createUpload(input: $i) { id url } }`,
    { i: { contentType: 'image/png', byteSize: image.length } },
  );
  const put = await exchange({
    url: createUpload.url,
    method: 'PUT',
    headers: { 'content-type': 'image/png' },
    body: image,
  });
  if (put.status !== 201) throw new Error(`fixture upload answered ${put.status}: ${put.body}`);
  return createUpload.id;
}

async function firstDelivery(client: GatewayClient, endpointId: string): Promise<string | undefined> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const { webhookEndpoint } = await client.data<{
      webhookEndpoint: { deliveries: { edges: { node: { id: string } }[] } };
    }>(`query($id: ID!) { webhookEndpoint(id: $id) { deliveries(first: 5) { edges { node { id } } } } }`, {
      id: endpointId,
    });
    const id = webhookEndpoint.deliveries.edges[0]?.node.id;
    if (id) return id;
    await sleep(500);
  }
  return undefined;
}

/** Creates a tenant's data: an endpoint, a key, an example, an unused upload, a completed edit. */
async function makeTenant(
  platform: RunningPlatform,
  tenantId: string,
  marker: string,
  receiverUrl: string,
  imageSize: [number, number],
): Promise<Tenant> {
  const issued =
    tenantId === platform.tenantId
      ? platform.bootstrap!
      : await platform.createTenant(tenantId, ['read', 'write', 'admin']);
  const client = new GatewayClient(platform.gatewayUrl, issued.key);
  const image = await sourceImage(...imageSize);
  const endpoint = await client.data<{ createWebhookEndpoint: { endpoint: { id: string } } }>(
    `mutation($i: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $i) { endpoint { id } } }`,
    { i: { url: `${receiverUrl}/${marker}`, description: marker } },
  );
  const key = await client.data<{ createApiKey: { apiKey: { id: string } } }>(
    `mutation { createApiKey(name: "${marker}", scopes: [READ]) { apiKey { id } } }`,
  );
  const example = await client.data<{ addCaptionExample: { id: string } }>(
    `mutation($i: AddCaptionExampleInput!) { addCaptionExample(input: $i) { id } }`,
    { i: { targetCaption: `A dog ${marker}.`, temporalCaption: `The dog slowly sits down ${marker}.` } },
  );
  const uploadId = await uploadedImage(client, image);
  const edit = await completedEdit(client, image, `A photo of a sitting dog ${marker}.`);
  const endpointId = endpoint.createWebhookEndpoint.endpoint.id;
  const cursors = await client.data<{
    edits: { pageInfo: { endCursor: string | null } };
    edit: { updates: { cursor: string | null }[] };
  }>(`query($id: ID!) { edits(first: 1) { pageInfo { endCursor } } edit(id: $id) { updates { cursor } } }`, {
    id: edit.editId,
  });
  return {
    tenantId: issued.tenantId,
    key: issued.key,
    keyId: issued.keyId,
    client,
    image,
    ...edit,
    uploadId,
    endpointId,
    deliveryId: await firstDelivery(client, endpointId),
    exampleId: example.addCaptionExample.id,
    extraKeyId: key.createApiKey.apiKey.id,
    editsCursor: cursors.edits.pageInfo.endCursor ?? undefined,
    updatesCursor: cursors.edit.updates[0]?.cursor ?? undefined,
  };
}

/** A webhook receiver that accepts every delivery. */
export async function startReceiver(): Promise<{ url: string; stop(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200).end('ok'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    stop: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

export async function makeContext(platform: RunningPlatform, receiverUrl: string): Promise<AbuseContext> {
  const markerA = `tenant-a-${randomBytes(6).toString('hex')}`;
  const markerB = `tenant-b-${randomBytes(6).toString('hex')}`;
  const [a, b] = await Promise.all([
    makeTenant(platform, platform.tenantId, markerA, receiverUrl, [64, 48]),
    makeTenant(platform, `b${randomBytes(4).toString('hex')}`, markerB, receiverUrl, [80, 60]),
  ]);
  const bIds = [b.editId, ...b.frameIds, b.uploadId, b.endpointId, b.exampleId, b.extraKeyId, b.keyId];
  return {
    platform,
    a,
    b,
    bMarkers: [
      markerB,
      b.tenantId,
      createHash('sha256').update(b.image).digest('hex'),
      ...bIds,
      ...(b.deliveryId ? [b.deliveryId] : []),
    ],
    gatewayOrigin: platform.publicBaseUrl,
    subgraphUrl: (name) => `http://127.0.0.1:${platform.ports[name]}/graphql`,
  };
}
