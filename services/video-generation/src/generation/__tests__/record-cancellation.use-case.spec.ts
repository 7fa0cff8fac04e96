import { randomUUID } from 'node:crypto';

import { type EditStatus, makeEnvelope, Topic } from '@f2f/contracts';

import { fakeHandlerContext } from '../../../../../test/support/fake-handler-context';
import { RecordCancellationUseCase } from '../record-cancellation.use-case';
import { RunningGenerations } from '../running-generations';
import { InMemoryCancelledEdits } from '../testing/in-memory-repositories';

const statusEvent = (editId: string, status: EditStatus, occurredAt = new Date()) =>
  makeEnvelope({
    type: Topic.EditStatus,
    editId,
    tenantId: 'tenant-a',
    occurredAt,
    payload: { status, previousStatus: 'GENERATING', seq: 5, cause: 'edit.cancelled', update: null },
  });

describe('RecordCancellationUseCase', () => {
  it('records a cancellation with its tenant and time, and stops the edit’s running generation', async () => {
    const cancelled = new InMemoryCancelledEdits();
    const running = new RunningGenerations();
    const useCase = new RecordCancellationUseCase(cancelled, running);
    const editId = randomUUID();
    const signal = running.start(editId);
    const at = new Date('2026-12-01T10:00:00.000Z');
    const event = statusEvent(editId, 'CANCELLED', at);

    expect(await useCase.execute(event, fakeHandlerContext().for(event))).toBe(true);
    expect(signal.aborted).toBe(true);
    expect(await cancelled.isCancelled('tenant-a', editId)).toBe(true);
    expect(cancelled.rows.get(editId)?.cancelledAt).toEqual(at);
    // A generation starting later in this process starts aborted.
    expect(running.start(editId).aborted).toBe(true);
  });

  it('ignores every other status', async () => {
    const cancelled = new InMemoryCancelledEdits();
    const running = new RunningGenerations();
    const useCase = new RecordCancellationUseCase(cancelled, running);
    const editId = randomUUID();
    const signal = running.start(editId);
    for (const status of ['GENERATING', 'SELECTING', 'FAILED', 'COMPLETED'] as const) {
      const event = statusEvent(editId, status);
      expect(await useCase.execute(event, fakeHandlerContext().for(event))).toBe(false);
    }
    expect(signal.aborted).toBe(false);
    expect(cancelled.rows.size).toBe(0);
  });

  it('stops the generation on a replica whose inbox already holds the event (the row is written once)', async () => {
    const cancelled = new InMemoryCancelledEdits();
    const handled = new Set<string>();
    const editId = randomUUID();
    const event = statusEvent(editId, 'CANCELLED');
    await new RecordCancellationUseCase(cancelled, new RunningGenerations()).execute(
      event,
      fakeHandlerContext(handled).for(event),
    );
    const otherReplica = new RunningGenerations();
    const signal = otherReplica.start(editId);
    await new RecordCancellationUseCase(cancelled, otherReplica).execute(
      event,
      fakeHandlerContext(handled).for(event),
    );
    expect(signal.aborted).toBe(true);
    expect(cancelled.rows.size).toBe(1);
  });
});
