import { randomUUID } from 'node:crypto';

import { ErrorCode } from '@f2f/common';
import type { TenantId } from '@f2f/database';

import { InMemoryWebhookDeliveries } from '../../testing/in-memory-repositories';
import { decodeDeliveryCursor, DeliveryLogService, encodeDeliveryCursor } from '../delivery-log.service';

const tenantA = 'tenant-a' as TenantId;
const tenantB = 'tenant-b' as TenantId;

async function setup(count: number) {
  const repository = new InMemoryWebhookDeliveries();
  const endpointId = randomUUID();
  for (let i = 0; i < count; i++) {
    await repository.createForEvent(undefined as never, tenantA, [
      {
        endpointId,
        eventId: randomUUID(),
        eventType: 'caption.completed',
        editId: randomUUID(),
        body: `{"n":${i}}`,
      },
    ]);
  }
  return { repository, endpointId, service: new DeliveryLogService(repository) };
}

describe('DeliveryLogService', () => {
  it('pages newest first with cursors that resume exactly where the page ended', async () => {
    const { service, endpointId } = await setup(5);
    const first = await service.page(tenantA, endpointId, { first: 2 });
    expect(first.totalCount).toBe(5);
    expect(first.hasNextPage).toBe(true);
    expect(first.rows.map((r) => JSON.parse(r.body).n)).toEqual([4, 3]);
    const after = encodeDeliveryCursor(first.rows[1]);
    const second = await service.page(tenantA, endpointId, { first: 10, after });
    expect(second.rows.map((r) => JSON.parse(r.body).n)).toEqual([2, 1, 0]);
    expect(second.hasNextPage).toBe(false);
    expect(decodeDeliveryCursor(after)).toEqual({ createdAt: first.rows[1].createdAt, id: first.rows[1].id });
  });

  it('refuses a bad page size or cursor as InvalidInput', async () => {
    const { service, endpointId } = await setup(1);
    for (const first of [0, 101, 1.5]) {
      await expect(service.page(tenantA, endpointId, { first })).rejects.toMatchObject({
        code: ErrorCode.InvalidInput,
      });
    }
    await expect(service.page(tenantA, endpointId, { after: 'bm90LWEtY3Vyc29y' })).rejects.toMatchObject({
      code: ErrorCode.InvalidInput,
    });
  });

  it("shows and redelivers only the tenant's own deliveries", async () => {
    const { service, repository, endpointId } = await setup(1);
    const [row] = repository.rows;
    row.status = 'FAILED';
    row.attemptCount = 3;
    expect(await service.get(tenantB, row.id)).toBeNull();
    expect(await service.get(tenantA, 'nope')).toBeNull();
    await expect(service.redeliver(tenantB, row.id)).rejects.toMatchObject({ code: ErrorCode.NotFound });
    const again = await service.redeliver(tenantA, row.id);
    expect(again).toMatchObject({ status: 'PENDING', roundStartAttempt: 3 });
    expect((await service.page(tenantB, endpointId, {})).totalCount).toBe(0);
  });
});
