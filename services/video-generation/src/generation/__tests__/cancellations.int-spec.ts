import { createDatabase, type PrismaClient as ServiceClient } from '../../database';
import { randomUUID } from 'node:crypto';

import { makeEnvelope, Topic } from '@f2f/contracts';

import { createTestDatabase, type TestDatabase } from '../../../../../test/support/database';
import { inboxContext } from '../../../../../test/support/handler-context';
import { PrismaCancelledEditsRepository } from '../cancelled-edits.repository';
import { RecordCancellationUseCase } from '../record-cancellation.use-case';
import { RunningGenerations } from '../running-generations';

// Real Postgres: video-generation's own cancelled_edits, written in the inbox record's transaction.

let db: TestDatabase<ServiceClient>;
beforeAll(async () => {
  db = await createTestDatabase('cancellations', createDatabase);
});
afterAll(() => db.drop());

const cancelled = (editId: string, tenantId: string) =>
  makeEnvelope({
    type: Topic.EditStatus,
    editId,
    tenantId,
    occurredAt: new Date('2026-12-01T08:00:00.000Z'),
    payload: {
      status: 'CANCELLED',
      previousStatus: 'GENERATING',
      seq: 4,
      cause: 'edit.cancelled',
      update: null,
    },
  });

it('records a cancellation once per edit, read back for its tenant only, without any edits row', async () => {
  const repository = new PrismaCancelledEditsRepository(db.prisma);
  const editId = randomUUID();
  const event = cancelled(editId, 'tenant-a');
  // The service's group and a replica's broadcast group both see the event: one row.
  for (const consumer of ['video-generation', 'video-generation-cancellations', 'video-generation']) {
    await new RecordCancellationUseCase(repository, new RunningGenerations()).execute(
      event,
      inboxContext(db.prisma, consumer, event),
    );
  }
  expect(await db.prisma.cancelledEdit.findMany({ where: { editId } })).toEqual([
    { editId, tenantId: 'tenant-a', cancelledAt: new Date('2026-12-01T08:00:00.000Z') },
  ]);
  expect(await repository.isCancelled('tenant-a', editId)).toBe(true);
  expect(await repository.isCancelled('tenant-b', editId)).toBe(false);
  expect(await repository.isCancelled('tenant-a', randomUUID())).toBe(false);
});
