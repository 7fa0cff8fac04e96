import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { makeImage } from '../../../../test/support/factories';
import { blobKeys, FilesystemBlobStore } from '..';

/** Every file under dir, as paths relative to it. */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort();
}

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

describe('FilesystemBlobStore', () => {
  let sandbox: string;
  let root: string;
  let store: FilesystemBlobStore;

  beforeEach(async () => {
    // The store's root inside a sandbox, so that an escape from the root would land in the sandbox.
    sandbox = await mkdtemp(path.join(tmpdir(), 'f2f-blobs-'));
    root = path.join(sandbox, 'root');
    store = new FilesystemBlobStore(root);
  });

  afterEach(async () => {
    await rm(sandbox, { recursive: true, force: true });
  });

  it('stores bytes under the key and reads them back, reporting size and sha256', async () => {
    const data = await makeImage(64, 48);
    const key = blobKeys.source('acme', randomUUID(), 'png');
    const stored = await store.put(key, data);
    expect(stored).toEqual({ key, bytes: data.length, sha256: sha256(data) });
    expect((await store.get(key)).equals(data)).toBe(true);
    expect((await readFile(path.join(root, key))).equals(data)).toBe(true);
  });

  it('replaces the bytes of an existing key', async () => {
    const key = blobKeys.frame('acme', randomUUID(), 0, 3);
    await store.put(key, randomBytes(2048));
    const second = randomBytes(100);
    const stored = await store.put(key, second);
    expect(stored.sha256).toBe(sha256(second));
    expect((await store.get(key)).equals(second)).toBe(true);
  });

  it('stores an empty blob', async () => {
    const stored = await store.put('empty.bin', Buffer.alloc(0));
    expect(stored).toEqual({ key: 'empty.bin', bytes: 0, sha256: sha256(Buffer.alloc(0)) });
    expect(await store.get('empty.bin')).toHaveLength(0);
  });

  it('tells whether a key exists, and deletes it', async () => {
    const key = 'tenants/acme/edits/e/frames/000.png';
    expect(await store.exists(key)).toBe(false);
    await store.put(key, randomBytes(16));
    expect(await store.exists(key)).toBe(true);
    await store.delete(key);
    expect(await store.exists(key)).toBe(false);
    await expect(store.get(key)).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(store.delete(key)).resolves.toBeUndefined();
  });

  it('leaves no temporary file behind, even with concurrent writes to one key', async () => {
    const key = 'tenants/acme/edits/e/source.png';
    const versions = Array.from({ length: 8 }, () => randomBytes(64 * 1024));
    await Promise.all(versions.map((v) => store.put(key, v)));
    expect(await filesUnder(root)).toEqual([key]);
    const final = await store.get(key);
    // Whole bytes of one writer, never a mix.
    expect(versions.some((v) => v.equals(final))).toBe(true);
  });

  it.each([
    ['empty', ''],
    ['parent segment', '../escaped.bin'],
    ['parent segment in the middle', 'tenants/../../escaped.bin'],
    ['trailing parent segment', 'tenants/..'],
    ['current-directory segment', 'tenants/./x.png'],
    ['absolute path', '/etc/passwd'],
    ['absolute path into the sandbox', '/tmp/escaped.bin'],
    ['empty segment', 'tenants//x.png'],
    ['trailing slash', 'tenants/x/'],
    ['backslash', 'tenants\\..\\escaped.bin'],
    ['space', 'tenants/a b.png'],
    ['non-ASCII letter', 'tenants/é.png'],
    ['query characters', 'tenants/x.png?v=1'],
    ['NUL byte', 'tenants/x\u0000.png'],
    ['newline', 'tenants/x\n.png'],
    ['key over 1024 characters', `${'a'.repeat(1021)}.png`],
  ])('refuses a key with %s', async (_name, key) => {
    await expect(store.put(key, randomBytes(8))).rejects.toThrow(/invalid blob key/);
    await expect(store.get(key)).rejects.toThrow(/invalid blob key/);
    await expect(store.delete(key)).rejects.toThrow(/invalid blob key/);
    expect(() => store.pathOf(key)).toThrow(/invalid blob key/);
    expect(await filesUnder(sandbox)).toEqual([]);
  });

  it('never reports a file outside its root as existing', async () => {
    await writeFile(path.join(sandbox, 'outside.bin'), 'secret');
    expect(await store.exists('../outside.bin')).toBe(false);
    await expect(store.get('../outside.bin')).rejects.toThrow(/invalid blob key/);
    await expect(store.delete('../outside.bin')).rejects.toThrow(/invalid blob key/);
    expect(await readFile(path.join(sandbox, 'outside.bin'), 'utf8')).toBe('secret');
  });

  it('accepts a key of exactly 1024 safe characters', async () => {
    // Segments stay under the filesystem's 255-byte name limit.
    const key = `${Array<string>(5).fill('a'.repeat(200)).join('/')}/${'b'.repeat(15)}.png`;
    expect(key).toHaveLength(1024);
    await store.put(key, Buffer.from('x'));
    expect(await store.exists(key)).toBe(true);
  });
});
