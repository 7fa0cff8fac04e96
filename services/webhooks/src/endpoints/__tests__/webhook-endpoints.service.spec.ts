import { ErrorCode } from '@f2f/common';
import type { TenantId } from '@f2f/database';

import { SecretBox } from '../../signing/secret-box';
import { InMemoryWebhookEndpoints } from '../../testing/in-memory-repositories';
import { WebhookEndpointsService } from '../webhook-endpoints.service';

const tenantA = 'tenant-a' as TenantId;
const tenantB = 'tenant-b' as TenantId;

function setup(rotationGraceMs = 60_000) {
  let now = new Date('2026-06-01T12:00:00Z');
  const repository = new InMemoryWebhookEndpoints(() => now);
  const box = new SecretBox('test-key');
  const service = new WebhookEndpointsService(
    repository,
    box,
    { allowHttp: false, allowPrivateNetworks: false, maxEndpointsPerTenant: 2, rotationGraceMs },
    { now: () => now },
  );
  return { repository, box, service, advance: (ms: number) => (now = new Date(now.getTime() + ms)) };
}

describe('WebhookEndpointsService', () => {
  it('registers an endpoint with its secret sealed for that endpoint, the event types normalised', async () => {
    const { service, box } = setup();
    const { endpoint, secret } = await service.create(tenantA, {
      url: 'https://hooks.example.com/x',
      events: ['frame.selected', 'caption.completed'],
    });
    expect(box.open(endpoint.secretCiphertext, endpoint.id)).toBe(secret);
    // In the order of the history types, not the caller's.
    expect(endpoint.eventTypes).toEqual(['caption.completed', 'frame.selected']);
    expect(
      (await service.create(tenantA, { url: 'https://hooks.example.com/y' })).endpoint.eventTypes,
    ).toEqual(['*']);
  });

  it('refuses bad input with clear codes and stores nothing', async () => {
    const { service, repository } = setup();
    await expect(service.create(tenantA, {})).rejects.toMatchObject({ code: ErrorCode.InvalidInput });
    await expect(service.create(tenantA, { url: 'http://hooks.example.com' })).rejects.toMatchObject({
      code: ErrorCode.InvalidInput,
    });
    await expect(
      service.create(tenantA, { url: 'https://hooks.example.com', events: ['edit.exploded'] }),
    ).rejects.toMatchObject({
      code: ErrorCode.InvalidInput,
      message: expect.stringContaining('edit.exploded'),
    });
    expect(repository.rows).toHaveLength(0);
  });

  it('holds the per-tenant cap as a Conflict', async () => {
    const { service } = setup();
    await service.create(tenantA, { url: 'https://a.example.com' });
    await service.create(tenantA, { url: 'https://b.example.com' });
    await expect(service.create(tenantA, { url: 'https://c.example.com' })).rejects.toMatchObject({
      code: ErrorCode.Conflict,
    });
    await expect(service.create(tenantB, { url: 'https://c.example.com' })).resolves.toBeDefined();
  });

  it("keeps the old secret signing for the grace period on rotation; another tenant's endpoint is not found", async () => {
    const { service, box } = setup(60_000);
    const { endpoint, secret: first } = await service.create(tenantA, { url: 'https://a.example.com' });
    await expect(service.rotateSecret(tenantB, endpoint.id)).rejects.toMatchObject({
      code: ErrorCode.NotFound,
    });
    const rotated = await service.rotateSecret(tenantA, endpoint.id);
    expect(rotated.secret).not.toBe(first);
    expect(box.open(rotated.endpoint.secretCiphertext, endpoint.id)).toBe(rotated.secret);
    expect(box.open(rotated.endpoint.previousSecretCiphertext!, endpoint.id)).toBe(first);
    expect(rotated.previousSecretExpiresAt).toEqual(new Date('2026-06-01T12:01:00Z'));
  });

  it('updates and deletes only within the tenant', async () => {
    const { service } = setup();
    const { endpoint } = await service.create(tenantA, { url: 'https://a.example.com', description: ' d ' });
    expect(endpoint.description).toBe('d');
    await expect(service.update(tenantB, endpoint.id, { enabled: false })).rejects.toMatchObject({
      code: ErrorCode.NotFound,
    });
    expect((await service.update(tenantA, endpoint.id, { enabled: false, description: null })).enabled).toBe(
      false,
    );
    await expect(service.delete(tenantB, endpoint.id)).rejects.toMatchObject({ code: ErrorCode.NotFound });
    await service.delete(tenantA, endpoint.id);
    expect(await service.get(tenantA, endpoint.id)).toBeNull();
    expect(await service.get(tenantA, 'not-a-uuid')).toBeNull();
  });
});
