import { DomainError, ErrorCode } from '@f2f/common';
import { SignedUrls, verifyFileToken } from '@f2f/platform';

import type { Edit } from '../../database';
import type { PathVideoWorker } from '../path-video.worker';
import { PathVideoResolver } from '../path-video.resolver';
import type { PathVideosRepository } from '../path-videos.repository';

const SECRET = 'a'.repeat(64);
const EDIT_ID = '22222222-2222-4222-8222-222222222222';

function setUp(made: Record<number, string>) {
  const requested: string[] = [];
  const videos = {
    find: async (_tenantId: string, _editId: string, candidate: number) =>
      made[candidate] ? { blobKey: made[candidate] } : null,
  } as unknown as PathVideosRepository;
  const worker = { request: (_t: string, editId: string) => void requested.push(editId) } as PathVideoWorker;
  const urls = new SignedUrls({ secret: SECRET, publicBaseUrl: 'http://gw', ttlSeconds: 600 });
  return { resolver: new PathVideoResolver(videos, worker, urls), requested };
}

const edit = (status: string, candidates = 2) =>
  ({ id: EDIT_ID, tenantId: 'acme', status, candidates }) as unknown as Edit;

describe('Edit.pathVideoUrl', () => {
  it("signs the candidate's video like every download (the tenant's own key)", async () => {
    const { resolver, requested } = setUp({ 1: 'tenants/acme/edits/e/frames/path-1.mp4' });
    const url = await resolver.pathVideoUrl(edit('COMPLETED'), 1);
    const token = url!.replace(/^http:\/\/gw\/v1\/files\//, '');
    expect(verifyFileToken(token, SECRET, new Date())).toMatchObject({
      tenantId: 'acme',
      key: 'tenants/acme/edits/e/frames/path-1.mp4',
    });
    expect(requested).toEqual([]);
  });

  it('is null until made, and asks the worker once the frames are all stored', async () => {
    const { resolver, requested } = setUp({});
    expect(await resolver.pathVideoUrl(edit('GENERATING'), null)).toBeNull();
    expect(requested).toEqual([]);
    expect(await resolver.pathVideoUrl(edit('COMPLETED'), null)).toBeNull();
    expect(requested).toEqual([EDIT_ID]);
  });

  it('refuses a candidate the edit does not have (BAD_USER_INPUT)', async () => {
    const { resolver } = setUp({});
    for (const k of [2, -1]) {
      const error = await resolver.pathVideoUrl(edit('COMPLETED'), k).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DomainError);
      expect((error as DomainError).code).toBe(ErrorCode.InvalidInput);
    }
  });
});
