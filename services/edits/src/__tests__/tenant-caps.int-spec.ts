import { createDatabase, type PrismaClient as ServiceClient } from '../database';
import { DomainError, ErrorCode } from '@f2f/common';
import type { TenantId } from '@f2f/database';
import { SignedUrls } from '@f2f/platform';

import { createTestDatabase, type TestDatabase } from '../../../../test/support/database';
import { ApiKeysRepository } from '../tenancy/api-keys.repository';
import { ApiKeysService } from '../tenancy/api-keys.service';
import { CreateUploadCommand } from '../uploads/create-upload/create-upload.command';
import { CreateUploadUseCase } from '../uploads/create-upload/create-upload.use-case';
import type { UploadSettings } from '../uploads/upload-settings';
import { UploadsRepository } from '../uploads/uploads.repository';
import { makeTenant } from './factories';

/** The per-tenant caps on API keys and open uploads, on a real Postgres, concurrent requests included. */
const MAX_KEYS = 4;
const MAX_UPLOADS = 5;
const SECRET = 'caps-secret-'.repeat(3);

let db: TestDatabase<ServiceClient>;
let keys: ApiKeysService;
let uploads: CreateUploadUseCase;
let clockNow = Date.now();

beforeAll(async () => {
  db = await createTestDatabase('tenant_caps', createDatabase);
  keys = new ApiKeysService(new ApiKeysRepository(db.prisma), MAX_KEYS);
  const settings: UploadSettings = {
    ttlSeconds: 900,
    maxImageBytes: 1024 * 1024,
    maxImagePixels: 4_000_000,
    secret: SECRET,
    sweepIntervalSeconds: 0,
    maxOpenUploadsPerTenant: MAX_UPLOADS,
  };
  const clock = { now: () => new Date(clockNow) };
  uploads = new CreateUploadUseCase(
    new UploadsRepository(db.prisma),
    new SignedUrls({ secret: SECRET, publicBaseUrl: 'http://gateway.test', ttlSeconds: 900, now: clock.now }),
    settings,
    clock,
  );
});

afterAll(async () => {
  await db?.drop();
});

/** Settles every attempt: the codes of the refusals, and how many succeeded. */
async function outcomes(attempts: Promise<unknown>[]): Promise<{ ok: number; refused: string[] }> {
  const settled = await Promise.allSettled(attempts);
  const refused = settled
    .filter((s): s is PromiseRejectedResult => s.status === 'rejected')
    .map((s) => (s.reason instanceof DomainError ? s.reason.code : String(s.reason)));
  return { ok: settled.filter((s) => s.status === 'fulfilled').length, refused };
}

const upload = (tenantId: TenantId) =>
  uploads.execute(
    CreateUploadCommand.create(tenantId, { contentType: 'image/png', byteSize: 1000 }, 1024 * 1024),
  );

describe('MAX_API_KEYS_PER_TENANT', () => {
  it('lets exactly the cap through among concurrent creates, per tenant, and counts only unrevoked keys', async () => {
    const acme = await makeTenant(db.prisma, 'acme');
    const other = await makeTenant(db.prisma, 'other');
    const burst = await outcomes(
      Array.from({ length: 12 }, (_, i) => keys.create(acme, `key ${i}`, ['read'], null)),
    );
    expect(burst).toEqual({ ok: MAX_KEYS, refused: Array(12 - MAX_KEYS).fill(ErrorCode.TooManyApiKeys) });
    expect(await db.prisma.apiKey.count({ where: { tenantId: acme } })).toBe(MAX_KEYS);
    // Another tenant has its own cap.
    expect((await outcomes([keys.create(other, 'k', ['read'], null)])).ok).toBe(1);
    // A revoked key frees a place, for one create only.
    const [first] = await keys.list(acme);
    await keys.revoke(acme, first.id);
    const again = await outcomes([1, 2, 3].map((i) => keys.create(acme, `again ${i}`, ['read'], null)));
    expect(again).toEqual({ ok: 1, refused: [ErrorCode.TooManyApiKeys, ErrorCode.TooManyApiKeys] });
  });

  it('says how many keys there are and the limit', async () => {
    const tenant = await makeTenant(db.prisma, 'detail');
    for (let i = 0; i < MAX_KEYS; i++) await keys.create(tenant, `k${i}`, ['read'], null);
    await expect(keys.create(tenant, 'one more', ['read'], null)).rejects.toMatchObject({
      code: ErrorCode.TooManyApiKeys,
      details: { limit: MAX_KEYS, live: MAX_KEYS },
    });
  });
});

describe('MAX_OPEN_UPLOADS_PER_TENANT', () => {
  it('lets exactly the cap through among concurrent createUpload calls, and counts only open uploads', async () => {
    clockNow = Date.now();
    const tenant = await makeTenant(db.prisma, 'uploader');
    const burst = await outcomes(Array.from({ length: 15 }, () => upload(tenant)));
    expect(burst).toEqual({
      ok: MAX_UPLOADS,
      refused: Array(15 - MAX_UPLOADS).fill(ErrorCode.TooManyUploads),
    });
    expect(await db.prisma.upload.count({ where: { tenantId: tenant } })).toBe(MAX_UPLOADS);

    // An upload an edit used is no longer open.
    const [used] = await db.prisma.upload.findMany({ where: { tenantId: tenant }, take: 1 });
    await db.prisma.upload.update({ where: { id: used.id }, data: { status: 'used', usedAt: new Date() } });
    expect((await outcomes([upload(tenant), upload(tenant)])).refused).toEqual([ErrorCode.TooManyUploads]);

    // Expired ones are not open either: once the clock passes their expiry, the tenant may upload again.
    clockNow += 901_000;
    expect(await outcomes(Array.from({ length: MAX_UPLOADS + 1 }, () => upload(tenant)))).toEqual({
      ok: MAX_UPLOADS,
      refused: [ErrorCode.TooManyUploads],
    });
  });

  it('refuses with the count and the limit', async () => {
    clockNow = Date.now();
    const tenant = await makeTenant(db.prisma, 'detail-up');
    for (let i = 0; i < MAX_UPLOADS; i++) await upload(tenant);
    await expect(upload(tenant)).rejects.toMatchObject({
      code: ErrorCode.TooManyUploads,
      details: { limit: MAX_UPLOADS, open: MAX_UPLOADS },
    });
  });
});
