import { randomUUID } from 'node:crypto';

import type { TenantId } from '@f2f/database';

import { fakeHandlerContext } from '../../../../../test/support/fake-handler-context';
import { makeEditStatus } from '../../__tests__/factories';
import { InMemoryWebhookDeliveries, InMemoryWebhookEndpoints } from '../../testing/in-memory-repositories';
import { RecordDeliveriesUseCase } from '../record-deliveries.use-case';

const tenantA = 'tenant-a' as TenantId;

async function setup() {
  const endpoints = new InMemoryWebhookEndpoints(() => new Date('2026-01-01T00:00:00Z'));
  const deliveries = new InMemoryWebhookDeliveries();
  const add = (tenantId: TenantId, eventTypes: string[], enabled = true) =>
    endpoints.createCapped(
      tenantId,
      {
        id: randomUUID(),
        url: 'https://example.com/h',
        description: null,
        eventTypes,
        enabled,
        secretCiphertext: 's',
      },
      10,
    );
  return { endpoints, deliveries, add, useCase: new RecordDeliveriesUseCase(endpoints, deliveries) };
}

describe('RecordDeliveriesUseCase', () => {
  it('writes one delivery per enabled endpoint of the tenant that wants the type, with the signed body', async () => {
    const t = await setup();
    const all = await t.add(tenantA, ['*']);
    const selected = await t.add(tenantA, ['frame.selected']);
    await t.add(tenantA, ['caption.completed']);
    await t.add(tenantA, ['*'], false);
    await t.add('tenant-b' as TenantId, ['*']);
    const event = makeEditStatus(tenantA, 'frame.selected', { status: 'SELECTING' });

    expect(await t.useCase.execute(event, fakeHandlerContext().for(event))).toBe(2);
    expect(t.deliveries.rows.map((d) => d.endpointId).sort()).toEqual([all!.id, selected!.id].sort());
    const body = JSON.parse(t.deliveries.rows[0].body);
    expect(body).toMatchObject({ id: event.eventId, type: 'frame.selected', tenantId: tenantA });
    expect(body.data.update.selection).toMatchObject({ frameIndex: 40, policy: 'vlm' });
  });

  it('skips endpoints created after the event happened', async () => {
    const t = await setup();
    await t.add(tenantA, ['*']);
    const event = makeEditStatus(tenantA, 'caption.completed', {
      occurredAt: new Date('2025-12-31T23:59:59Z'),
    });
    expect(await t.useCase.execute(event, fakeHandlerContext().for(event))).toBe(0);
  });

  it('writes nothing twice for a redelivered event', async () => {
    const t = await setup();
    await t.add(tenantA, ['*']);
    const event = makeEditStatus(tenantA, 'caption.completed');
    const handled = new Set<string>();
    await t.useCase.execute(event, fakeHandlerContext(handled).for(event));
    expect(await t.useCase.execute(event, fakeHandlerContext(handled).for(event))).toBe(0);
    expect(t.deliveries.rows).toHaveLength(1);
  });
});
