import { randomBytes } from 'node:crypto';

import { sleep } from '@f2f/common';
import type { GatewayClient } from '@f2f/harness';

import { msBetween } from './stats';

export interface EditSettings {
  frames: number;
  steps: number;
  targetCaption: string;
}

interface HistoryEntry {
  type: string;
  occurredAt: string;
}

interface EditView {
  status: string;
  createdAt: string;
  completedAt: string | null;
  history: HistoryEntry[];
}

/** One edit through the platform: when it was sent, when it completed, and its history. */
export interface PlatformEdit {
  id: string;
  /** From the createEdit request leaving the client to completedAt (the same machine's clock). */
  ms: number;
  sentAt: string;
  edit: EditView;
}

const TERMINAL = new Set(['COMPLETED', 'FAILED', 'CANCELLED']);

/** Submits one edit (the image inline) and waits until it is completed; throws when it is not. */
export async function runPlatformEdit(
  client: GatewayClient,
  image: Buffer,
  seed: number,
  settings: EditSettings,
  timeoutMs: number,
): Promise<PlatformEdit> {
  const sentAt = new Date().toISOString();
  const { createEdit } = await client.data<{ createEdit: { id: string } }>(
    `mutation($input: CreateEditInput!) { createEdit(input: $input) { id } }`,
    {
      input: {
        imageBase64: image.toString('base64'),
        targetCaption: settings.targetCaption,
        options: {
          frames: settings.frames,
          steps: settings.steps,
          seed,
          captionMode: 'TEMPORAL',
          selection: 'VLM',
          candidates: 1,
        },
        idempotencyKey: `bench-overhead-${seed}-${randomBytes(6).toString('hex')}`,
      },
    },
  );
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { edit } = await client.data<{ edit: { status: string } }>(
      `query($id: ID!) { edit(id: $id) { status } }`,
      { id: createEdit.id },
    );
    if (TERMINAL.has(edit.status)) break;
    if (Date.now() > deadline)
      throw new Error(`edit ${createEdit.id} still ${edit.status} after ${timeoutMs} ms`);
    await sleep(100);
  }
  const { edit } = await client.data<{ edit: EditView }>(
    `query($id: ID!) { edit(id: $id) { status createdAt completedAt history { type occurredAt } } }`,
    { id: createEdit.id },
  );
  if (edit.status !== 'COMPLETED' || !edit.completedAt)
    throw new Error(`edit ${createEdit.id} ended ${edit.status}`);
  return { id: createEdit.id, ms: msBetween(sentAt, edit.completedAt), sentAt, edit };
}

/** The moments of an edit's life, in ms from the createEdit request (NaN when absent). */
export interface Timeline {
  requested: number;
  captioned: number;
  firstProgress: number;
  generated: number;
  measured: number;
  selected: number;
  completed: number;
}

export function timelineOf(run: PlatformEdit): Timeline {
  const at = (type: string, last = false): number => {
    const entries = run.edit.history.filter((h) => h.type === type);
    const entry = last ? entries[entries.length - 1] : entries[0];
    return entry ? msBetween(run.sentAt, entry.occurredAt) : Number.NaN;
  };
  return {
    requested: at('edit.requested'),
    captioned: at('caption.completed'),
    firstProgress: at('video.progress'),
    generated: at('video.generated'),
    measured: at('metrics.computed'),
    selected: at('frame.selected'),
    completed: run.ms,
  };
}
