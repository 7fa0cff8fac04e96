import { randomBytes } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { sleep } from '@f2f/common';
import {
  checkLocalPlatform,
  readLocalSettings,
  REPO_ROOT,
  type RunningPlatform,
  SettingsError,
  startLocalPlatform,
} from '@f2f/launcher';

import type { PrismaClient as EditsClient } from '../../services/edits/src/database';
import { captioningDatabase, editsDatabase } from '../support/service-databases';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { testInfrastructure } from '../support/env';
import { makeImage } from '../support/factories';
import { FakeOpenAiServer } from '../support/fake-openai';

jest.setTimeout(600_000);

/** `npm start`'s path (readLocalSettings, checkLocalPlatform, startLocalPlatform) with its settings. */
describe('npm start settings', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'f2f-settings-'));
  });
  const envFile = async (text: string) => {
    const file = path.join(dir, `${randomBytes(4).toString('hex')}.env`);
    await writeFile(file, text);
    return file;
  };
  const problemsOf = (work: () => unknown): string[] => {
    try {
      work();
    } catch (error) {
      if (error instanceof SettingsError) return error.problems;
      throw error;
    }
    throw new Error('the settings were accepted');
  };

  it('routes each setting to the services that read it; the environment wins over .env', async () => {
    const file = await envFile('VLM_MODEL=from-file\nRATE_LIMIT_BURST=7\n# a comment\nMAX_BODY_BYTES=2048\n');
    const settings = readLocalSettings(
      { PATH: '/bin', HOME: '/root', NODE_OPTIONS: '--no-warnings', VLM_MODEL: 'from-env' },
      file,
    );
    expect(settings.perService.captioning.VLM_MODEL).toBe('from-env');
    expect(settings.perService['frame-selection'].VLM_MODEL).toBe('from-env');
    expect(settings.perService.gateway).toEqual({ RATE_LIMIT_BURST: '7', MAX_BODY_BYTES: '2048' });
    expect(settings.perService.edits).toEqual({ MAX_BODY_BYTES: '2048' });
    expect(settings.perService.metrics).toEqual({});
    expect(settings.values).not.toHaveProperty('PATH');
  });

  it('refuses an unknown name in .env, and a setting-like unknown one in the environment', async () => {
    const file = await envFile('RATE_LIMT_BURST=2\nSOMETHING_ELSE=1\n');
    const problems = problemsOf(() =>
      readLocalSettings({ PATH: '/bin', VLM_MODLE: 'gpt-4o', RATE_LIMT_PER_SECOND: '1' }, file),
    );
    expect(problems).toEqual([
      expect.stringMatching(
        /^RATE_LIMT_BURST \(.*\.env\) is not a setting .*; did you mean RATE_LIMIT_BURST\?$/,
      ),
      expect.stringMatching(/^SOMETHING_ELSE \(.*\.env\) is not a setting of any service or of npm start$/),
      expect.stringMatching(/^VLM_MODLE \(environment\) is not a setting .*; did you mean VLM_MODEL\?$/),
      expect.stringMatching(
        /^RATE_LIMT_PER_SECOND \(environment\) .*; did you mean RATE_LIMIT_PER_SECOND\?$/,
      ),
    ]);
    expect(problemsOf(() => readLocalSettings({ EDITS_URL: 'http://x/graphql' }, undefined))).toEqual([
      expect.stringContaining('EDITS_URL is set by the launcher'),
    ]);
  });

  it("refuses invalid values with the service's own reason before anything runs", async () => {
    const settings = readLocalSettings(
      { RATE_LIMIT_BURST: '0', GENERATOR_ADDRESSES: 'gpu-1', VLM_BASE_URL: 'not a url' },
      undefined,
    );
    const problems = problemsOf(() => checkLocalPlatform(settings));
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^gateway: RATE_LIMIT_BURST: .*>=1/),
        expect.stringMatching(/^video-generation: GENERATOR_ADDRESSES.*host:port/),
        expect.stringMatching(/^captioning: VLM_BASE_URL: VLM_BASE_URL must be the http\(s\) URL/),
        expect.stringMatching(/^frame-selection: VLM_BASE_URL/),
      ]),
    );
    const { kafkaBrokers } = testInfrastructure();
    const started = Date.now();
    await expect(
      startLocalPlatform(settings, { databaseUrl: 'postgresql://u:p@127.0.0.1:1/none', kafkaBrokers }),
    ).rejects.toThrow(SettingsError);
    expect(Date.now() - started).toBeLessThan(5_000); // refused before any process started
  });

  it('starts no preview generator when GENERATOR_ADDRESSES names real workers', () => {
    const settings = readLocalSettings({ GENERATOR_ADDRESSES: 'gpu-1:50051,gpu-2:50051' }, undefined);
    expect(settings.perService['video-generation']).toEqual({
      GENERATOR_ADDRESSES: 'gpu-1:50051,gpu-2:50051',
    });
    expect(() => checkLocalPlatform(settings)).not.toThrow();
  });
});

describe('a platform started like npm start', () => {
  const vlm = new FakeOpenAiServer();
  const VLM_CAPTION = 'The cat slowly turns its head toward the camera.';
  const restarts: string[] = [];
  let db: TestDatabase<EditsClient>;
  let platform: RunningPlatform;

  beforeAll(async () => {
    const { kafkaBrokers } = testInfrastructure();
    db = await createTestDatabase('local', editsDatabase);
    await vlm.start();
    vlm.setDefault({ text: VLM_CAPTION });
    const dir = await mkdtemp(path.join(os.tmpdir(), 'f2f-local-'));
    // The VLM from .env, the rate limit from the environment, as a user of npm start would give them.
    const file = path.join(dir, '.env');
    await writeFile(file, `VLM_BASE_URL=${vlm.baseUrl}\nVLM_MODEL=gpt-4o-double\nVLM_TIMEOUT_MS=5000\n`);
    const settings = readLocalSettings(
      {
        PATH: process.env.PATH,
        RATE_LIMIT_BURST: '2',
        RATE_LIMIT_PER_SECOND: '1',
        KAFKA_TOPIC_PREFIX: `local${randomBytes(4).toString('hex')}.`,
        BLOB_DIR: path.join(dir, 'blobs'),
        LOG_DIR: path.join(REPO_ROOT, '.cache', 'test-logs', `local-${Date.now()}`),
        PREVIEW_STEP_DELAY_MS: '5',
        WEBHOOK_SECRET_ENCRYPTION_KEY: randomBytes(32).toString('hex'),
      },
      file,
    );
    platform = await startLocalPlatform(
      settings,
      { databaseUrl: db.url, kafkaBrokers },
      // Free ports (not npm start's fixed ones); restarts reported here, quickly.
      {
        ports: undefined,
        supervise: { initialDelayMs: 200, log: (line) => restarts.push(line) },
        startTimeoutMs: 240_000, // a shared, loaded machine
      },
    );
  });

  afterAll(async () => {
    await platform?.stop();
    await vlm.stop();
    await db?.drop();
  });

  const post = (query: string, variables: Record<string, unknown> = {}) =>
    fetch(platform.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${platform.apiKey}` },
      body: JSON.stringify({ query, variables }),
    });

  it('applies RATE_LIMIT_BURST=2: the third request at once is RATE_LIMITED (429)', async () => {
    const responses = await Promise.all([1, 2, 3].map(() => post('{ edits(first: 1) { totalCount } }')));
    expect(responses.map((r) => r.status).sort()).toEqual([200, 200, 429]);
    const limited = responses.find((r) => r.status === 429)!;
    const body = (await limited.json()) as { errors: { extensions: { code: string } }[] };
    expect(body.errors[0].extensions.code).toBe('RATE_LIMITED');
  });

  it('writes the temporal caption with the VLM of VLM_BASE_URL (from .env)', async () => {
    await sleep(2_500); // the bucket refills (1 per second)
    const image = (await makeImage()).toString('base64');
    const res = await post(`mutation($i: CreateEditInput!) { createEdit(input: $i) { id } }`, {
      i: { imageBase64: image, targetCaption: 'A photo of a cat looking at the camera.' },
    });
    const body = (await res.json()) as { data: { createEdit: { id: string } } };
    const editId = body.data.createEdit.id;
    const captioning = db.connect(captioningDatabase);
    let caption: Awaited<ReturnType<typeof captioning.caption.findUnique>> = null;
    for (let i = 0; i < 120 && !caption; i++) {
      caption = await captioning.caption.findUnique({ where: { editId } });
      if (!caption) await sleep(500);
    }
    expect(caption).toMatchObject({ provenance: 'vlm', text: VLM_CAPTION, vlmModel: 'gpt-4o-double' });
    expect(vlm.requests.some((r) => r.body.model === 'gpt-4o-double')).toBe(true);
  });

  it('restarts a service killed from outside (SIGKILL) and reports it', async () => {
    const pid = platform.pid('captioning')!;
    expect(pid).toBeGreaterThan(0);
    process.kill(pid, 'SIGKILL');
    let healthy = false;
    for (let i = 0; i < 600 && !healthy; i++) {
      await sleep(100);
      const now = platform.pid('captioning');
      healthy = now !== undefined && now !== pid && (await isHealthy(platform.ports.captioning));
    }
    expect(healthy).toBe(true);
    expect(restarts).toContain(
      'service captioning exited with signal SIGKILL; restarting in 200 ms (restart 1)',
    );
    expect(platform.restartCount('captioning')).toBe(1);
  });

  it('does not restart a service stopped on purpose (kill), which start() brings back', async () => {
    await platform.kill('webhooks', 'SIGKILL');
    await sleep(1_000);
    expect(platform.pid('webhooks')).toBeUndefined();
    expect(restarts.some((line) => line.startsWith('service webhooks'))).toBe(false);
    await platform.start('webhooks');
    expect(await isHealthy(platform.ports.webhooks)).toBe(true);
  });
});

async function isHealthy(port: number): Promise<boolean> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/health`);
    return res.ok && ((await res.json()) as { status: string }).status === 'ok';
  } catch {
    return false;
  }
}
