import { ErrorCode } from '@f2f/common';
import { EDIT_CANCELLED } from '@f2f/contracts';
import { asTenantId } from '@f2f/database';

import { storedEdit } from '../../testing/edit-fixtures';
import { InMemoryEditHistory, InMemoryEditsRepository, InMemoryTransactions } from '../../testing/in-memory';
import { CancelEditUseCase } from '../cancel-edit.use-case';

const tenant = asTenantId('acme');
const now = new Date('2030-01-02T03:04:05Z');

function setUp() {
  const history = new InMemoryEditHistory();
  const edits = new InMemoryEditsRepository(history);
  const useCase = new CancelEditUseCase(new InMemoryTransactions(), edits, history, { now: () => now });
  return { history, edits, useCase };
}

describe('CancelEditUseCase', () => {
  it('cancels a running edit: CANCELLED at the clock’s time, one edit.cancelled entry announced', async () => {
    const { history, edits, useCase } = setUp();
    const edit = await storedEdit(edits, tenant, { status: 'GENERATING', historySeq: 4 });
    const cancelled = await useCase.execute(tenant, edit.id);
    expect([cancelled.status, cancelled.completedAt, cancelled.historySeq]).toEqual(['CANCELLED', now, 5]);
    expect(await edits.findEdit(tenant, edit.id)).toMatchObject({ status: 'CANCELLED', historySeq: 5 });
    const [entry] = history.of(tenant, edit.id);
    expect(entry).toMatchObject({
      seq: 5,
      type: EDIT_CANCELLED,
      key: EDIT_CANCELLED,
      payload: { previousStatus: 'GENERATING' },
      occurredAt: now,
      announcement: { status: { before: 'GENERATING', after: 'CANCELLED' }, cause: 'cancelEdit' },
    });
    // Cancelling again changes nothing and announces nothing.
    expect((await useCase.execute(tenant, edit.id)).historySeq).toBe(5);
    expect(history.entries).toHaveLength(1);
  });

  it('refuses a finished edit (CONFLICT) and another tenant’s or an unknown one (NOT_FOUND)', async () => {
    const { history, edits, useCase } = setUp();
    const completed = await storedEdit(edits, tenant);
    const failed = await storedEdit(edits, tenant, { status: 'FAILED' });
    const theirs = await storedEdit(edits, asTenantId('other'), { status: 'GENERATING' });
    await expect(useCase.execute(tenant, completed.id)).rejects.toMatchObject({ code: ErrorCode.Conflict });
    await expect(useCase.execute(tenant, failed.id)).rejects.toMatchObject({ code: ErrorCode.Conflict });
    await expect(useCase.execute(tenant, theirs.id)).rejects.toMatchObject({ code: ErrorCode.NotFound });
    await expect(useCase.execute(tenant, 'no-such-edit')).rejects.toMatchObject({ code: ErrorCode.NotFound });
    expect(history.entries).toEqual([]);
    expect((await edits.findEdit(asTenantId('other'), theirs.id))?.status).toBe('GENERATING');
  });
});
