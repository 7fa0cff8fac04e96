import { randomBytes } from 'node:crypto';

import { sleep } from '@f2f/common';
import { type GatewayClient, TERMINAL_STATUSES as TERMINAL } from '@f2f/harness';

/** Small and quick: the target caption as it is, the last frame, 9 frames of 8 steps. */
const EDIT_OPTIONS = { captionMode: 'TARGET', selection: 'LAST_FRAME', frames: 9, steps: 8 };

/**
 * Submits one edit as a client would: createEdit with the image inline and an idempotency key, so
 * that a refused or unanswered request can be sent again safely (up to `attempts` times). Its id.
 */
export async function submitEdit(
  client: GatewayClient,
  image: Buffer,
  seed: number,
  attempts = 5,
): Promise<string> {
  const idempotencyKey = `chaos-${seed}-${randomBytes(8).toString('hex')}`;
  for (let attempt = 1; ; attempt++) {
    try {
      const data = await client.data<{ createEdit: { id: string } }>(
        `mutation($input: CreateEditInput!) { createEdit(input: $input) { id } }`,
        {
          input: {
            imageBase64: image.toString('base64'),
            targetCaption: `A photo of a sitting dog, run ${seed}.`,
            options: { ...EDIT_OPTIONS, seed },
            idempotencyKey,
          },
        },
      );
      return data.createEdit.id;
    } catch (error) {
      if (attempt >= attempts) throw error;
      console.error(
        `  createEdit refused (attempt ${attempt}), sending it again: ${String(error).slice(0, 200)}`,
      );
      await sleep(500 * attempt);
    }
  }
}

/** Submits `count` edits, a few at a time (as a client with a small pool would). */
export async function submitEdits(client: GatewayClient, image: Buffer, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i += 4) {
    const batch = Array.from({ length: Math.min(4, count - i) }, (_, k) =>
      submitEdit(client, image, 100 + i + k),
    );
    ids.push(...(await Promise.all(batch)));
  }
  return ids;
}

/** The statuses of many edits in one request (aliases); null for an edit the platform does not know. */
export async function statuses(client: GatewayClient, ids: string[]): Promise<Map<string, string | null>> {
  const fields = ids.map((id, i) => `e${i}: edit(id: ${JSON.stringify(id)}) { status }`).join('\n');
  const data = await client.data<Record<string, { status: string } | null>>(`{ ${fields} }`);
  return new Map(ids.map((id, i) => [id, data[`e${i}`]?.status ?? null]));
}

/** Waits until every edit is terminal, or the deadline passes; the last statuses seen. */
export async function waitTerminal(
  client: GatewayClient,
  ids: string[],
  timeoutMs: number,
): Promise<Map<string, string | null>> {
  const deadline = Date.now() + timeoutMs;
  let last = new Map<string, string | null>();
  while (Date.now() < deadline) {
    try {
      last = await statuses(client, ids);
      if ([...last.values()].every((s) => s === null || TERMINAL.has(s))) return last;
    } catch {
      // The platform may still be coming back: keep polling until the deadline.
    }
    await sleep(1000);
  }
  return last;
}

/** Waits until some edit has left SUBMITTED (the pipeline is busy with them), at most timeoutMs. */
export async function waitInFlight(client: GatewayClient, ids: string[], timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const now = await statuses(client, ids);
    if ([...now.values()].some((s) => s !== 'SUBMITTED')) return;
    await sleep(200);
  }
}

interface UpdateView {
  type: string;
  status: string;
  candidate: number | null;
  frames: { candidate: number; index: number }[];
}

interface EditView {
  status: string;
  frames: { candidate: number; index: number }[];
  updates: UpdateView[];
  history: { eventId: string }[];
}

/** What the suite finds in one edit after a fault. */
export interface EditFindings {
  found: boolean;
  status: string | null;
  /** History entries listing a frame or a transition that an earlier entry already listed. */
  duplicatedHistory: number;
  /** Frames whose (candidate, index) another frame of the edit already has. */
  duplicatedFrames: number;
}

const excess = (keys: string[]) => keys.length - new Set(keys).size;

/**
 * Duplicates in Edit.updates: the same (type, candidate, frame index) landed twice, or the same
 * transition (type and status, per candidate) recorded twice (progress steps are not transitions);
 * and in Edit.history: the same event id twice.
 */
export function duplicatedHistory(edit: EditView): number {
  const frameKeys = edit.updates.flatMap((u) => u.frames.map((f) => `${u.type}|${f.candidate}|${f.index}`));
  const transitions = edit.updates
    .filter((u) => u.type !== 'video.progress')
    .map((u) => `${u.type}|${u.status}|${u.candidate ?? ''}`);
  return excess(frameKeys) + excess(transitions) + excess(edit.history.map((h) => h.eventId));
}

export async function inspectEdit(client: GatewayClient, id: string): Promise<EditFindings> {
  const data = await client.data<{ edit: EditView | null }>(
    `query($id: ID!) { edit(id: $id) {
      status frames { candidate index }
      updates { type status candidate frames { candidate index } }
      history { eventId }
    } }`,
    { id },
  );
  const edit = data.edit;
  if (!edit) return { found: false, status: null, duplicatedHistory: 0, duplicatedFrames: 0 };
  return {
    found: true,
    status: edit.status,
    duplicatedHistory: duplicatedHistory(edit),
    duplicatedFrames: excess(edit.frames.map((f) => `${f.candidate}|${f.index}`)),
  };
}
