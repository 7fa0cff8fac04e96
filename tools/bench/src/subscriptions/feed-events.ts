import { randomUUID } from 'node:crypto';

import { newTraceContext, parseEnvelope, SCHEMA_VERSION, Topic } from '@f2f/contracts';

/**
 * An edit.status event as the edits service announces a denoising step (a history entry of type
 * video.progress), in the contract of libs/contracts: the envelope and payload are validated by
 * parseEnvelope before they are sent, so that the gateway reads them as it reads the real ones.
 */
export function progressEvent(tenantId: string, editId: string, seq: number, step: number): string {
  const occurredAt = new Date().toISOString();
  const envelope = {
    eventId: randomUUID(),
    type: Topic.EditStatus,
    schemaVersion: SCHEMA_VERSION,
    editId,
    tenantId,
    occurredAt,
    causationId: null,
    trace: newTraceContext(),
    payload: {
      status: 'GENERATING',
      previousStatus: 'GENERATING',
      seq,
      cause: 'video.progress',
      update: {
        seq,
        type: 'video.progress',
        status: 'GENERATING',
        occurredAt,
        candidate: 0,
        step,
        totalSteps: 50,
        framesReady: 0,
        totalFrames: 49,
      },
    },
  };
  parseEnvelope(envelope);
  return JSON.stringify(envelope);
}
