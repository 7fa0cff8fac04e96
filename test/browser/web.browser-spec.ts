import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

import { createDatabase, dropDatabase, migratePlatform } from '@f2f/database';
import { REPO_ROOT, type RunningPlatform, startPlatform } from '@f2f/launcher';
import AxeBuilder from '@axe-core/playwright';
import { expect, type Page, test, type WebSocketRoute } from '@playwright/test';

import { makeImage } from '../support/factories';
import { FakeOpenAiServer } from '../support/fake-openai';

const SCREENSHOTS = path.join(REPO_ROOT, '.cache', 'browser-test', 'screenshots');

let platform: RunningPlatform;
let adminUrl: string;
let databaseName: string;
const vlm = new FakeOpenAiServer();

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  test.setTimeout(240_000);
  adminUrl = process.env.TEST_DATABASE_URL ?? '';
  const kafkaBrokers = process.env.KAFKA_BROKERS ?? '';
  if (!adminUrl || !kafkaBrokers)
    throw new Error('TEST_DATABASE_URL and KAFKA_BROKERS must be set (infra/up.sh)');
  mkdirSync(SCREENSHOTS, { recursive: true });
  await vlm.start();
  // A VLM double at the network boundary: a temporal caption, and the collage's frame 6.
  vlm.setDefault((request) =>
    JSON.stringify(request.body).includes('The selected edit is')
      ? { text: 'The selected edit is:6' }
      : { text: 'The ball slowly rolls to the right, turning gold as it goes.' },
  );
  databaseName = `f2f_t_browser_${randomBytes(3).toString('hex')}`;
  const url = await createDatabase(adminUrl, databaseName);
  await migratePlatform(url);
  platform = await startPlatform({
    databaseUrl: url,
    kafkaBrokers,
    topicPrefix: `web${randomBytes(4).toString('hex')}.`,
    blobDir: mkdtempSync(path.join(os.tmpdir(), 'f2f-browser-')),
    logDir: path.join(REPO_ROOT, '.cache', 'test-logs', `browser-${Date.now()}`),
    // Slow enough that frames land one by one while the page watches.
    stepDelayMs: 60,
    bootstrapTenant: 'browser-tenant',
    env: {
      captioning: { VLM_BASE_URL: vlm.baseUrl, VLM_MODEL: 'gpt-4o', VLM_TIMEOUT_MS: '5000' },
      'frame-selection': { VLM_BASE_URL: vlm.baseUrl, VLM_MODEL: 'gpt-4o', VLM_TIMEOUT_MS: '5000' },
    },
  });
});

test.afterAll(async () => {
  await platform?.stop();
  if (databaseName) await dropDatabase(adminUrl, databaseName).catch(() => undefined);
  await vlm.stop();
});

/** Saves the screen, after checking it with axe (WCAG 2 A and AA: labels, contrast, roles...). */
async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
  const audit = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa']).analyze();
  const found = audit.violations.map(
    (v) => `${name}: ${v.id} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`,
  );
  expect(found).toEqual([]);
}

test('a new tenant signs in, edits an image, watches it grow, scrubs, re-selects, downloads, finds it in history', async ({
  page,
}) => {
  const origin = new URL(platform.gatewayUrl).origin;
  const tenant = await platform.createTenant(`web-${randomBytes(3).toString('hex')}`);

  page.on('console', (m) => m.type() === 'error' && console.log(`browser console: ${m.text()}`));
  // The page's WebSocket goes through a route that can drop it, as a flaky network would.
  const sockets: WebSocketRoute[] = [];
  const sent: string[][] = [];
  await page.routeWebSocket(/\/graphql$/, (ws) => {
    const server = ws.connectToServer();
    const mine: string[] = [];
    sent.push(mine);
    ws.onMessage((message) => {
      mine.push(String(message));
      server.send(message);
    });
    sockets.push(ws);
  });
  // Sign in: the key goes to session storage, never into the URL.
  await page.goto(`${origin}/`);
  await expect(page.getByRole('heading', { name: 'Frame2Frame' })).toBeVisible();
  await shot(page, '01-sign-in');
  await page.getByLabel('API key', { exact: true }).fill(tenant.key);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByTestId('tenant')).toContainText(tenant.tenantId, { timeout: 5000 });
  expect(page.url()).not.toContain(tenant.key);
  expect(await page.evaluate<string | null>("sessionStorage.getItem('f2f.apiKey')")).toBe(tenant.key);

  // A file of a type the API refuses: its error is shown as the API gives it.
  const dir = mkdtempSync(path.join(os.tmpdir(), 'f2f-browser-img-'));
  const gif = path.join(dir, 'not-an-image.gif');
  writeFileSync(gif, 'GIF89a');
  await page.getByLabel(/^Image/).setInputFiles(gif);
  await page.getByLabel('Target caption', { exact: true }).fill('A golden ball on the right.');
  await page.getByRole('button', { name: 'Start the edit' }).click();
  await expect(page.getByRole('alert')).toContainText('UNSUPPORTED_MEDIA_TYPE');

  // The real upload, with advanced options.
  const png = path.join(dir, 'source.png');
  writeFileSync(png, await makeImage(160, 120, 'png'));
  await page.getByLabel(/^Image/).setInputFiles(png);
  await page.getByText('Advanced options').click();
  await page.getByLabel('Seed', { exact: true }).fill('7');
  await page.getByLabel('Output width (px)', { exact: true }).fill('128');
  await page.getByLabel('Output height (px)', { exact: true }).fill('96');
  await shot(page, '02-new-edit');
  await page.getByRole('button', { name: 'Start the edit' }).click();
  await expect(page).toHaveURL(/#\/edits\//);
  const editId = decodeURIComponent(page.url().split('#/edits/')[1]);

  // Live: the temporal caption, and frames arriving one by one (seen before all 49 are there).
  await expect(page.getByTestId('temporal-caption')).toContainText('rolls to the right');
  const ready = page.getByTestId('frames-ready');
  await expect.poll(async () => Number(await ready.textContent()), { timeout: 90_000 }).toBeGreaterThan(0);
  const partway = Number(await ready.textContent());
  expect(partway).toBeLessThan(49);
  await shot(page, '03-live');
  // Drop the connection mid-edit (1012: the server restarts): the page reconnects by itself and
  // resumes; no frame is missed or shown twice (compared below with a fresh page's replay).
  await sockets[sockets.length - 1].close({ code: 1012, reason: 'restart' });
  await expect.poll(() => sockets.length, { timeout: 30_000 }).toBeGreaterThan(1);
  // It subscribed again from the last entry it had seen, not from the start.
  const resumed = () =>
    sent[sent.length - 1]
      .map((m) => JSON.parse(m) as { type: string; payload?: { variables?: { afterSeq?: number } } })
      .find((m) => m.type === 'subscribe')?.payload?.variables?.afterSeq ?? 0;
  await expect.poll(resumed).toBeGreaterThan(0);
  await expect(page.getByTestId('status')).toHaveText('COMPLETED', { timeout: 120_000 });
  await expect(ready).toHaveText('49');
  await expect(page.getByTestId('selection')).toContainText(/Frame \d+ of candidate 0, chosen by vlm/);
  await expect(page.getByRole('list', { name: 'Frames' }).getByRole('button')).toHaveCount(49);
  const timeline = await page.getByText(/^Timeline \(\d+ events\)$/).textContent();
  await shot(page, '04-path');
  await page.reload();
  await expect(page.getByTestId('status')).toHaveText('COMPLETED');
  await expect(ready).toHaveText('49');
  await expect(page.getByText(/^Timeline \(\d+ events\)$/)).toHaveText(timeline!);

  // Scrub with the keyboard: the frame beside the source follows.
  const scrubber = page.getByRole('slider');
  await scrubber.focus();
  await page.keyboard.press('Home');
  for (let i = 0; i < 30; i++) await page.keyboard.press('ArrowRight');
  await expect(page.getByTestId('scrubbed-frame')).toHaveAttribute('alt', 'Frame 30 of candidate 0');

  // Re-select: the result changes to frame 30, chosen by the user.
  await page.getByRole('button', { name: 'Keep frame 30' }).click();
  await expect(page.getByTestId('selection')).toContainText('Frame 30 of candidate 0, chosen by user');
  await expect(page.getByTestId('selection')).toContainText('re-chosen');
  await shot(page, '05-reselected');

  // Download the result.
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: 'Download the result' }).click(),
  ]);
  const resultFile = path.join(dir, 'result.png');
  await download.saveAs(resultFile);
  const { stdout } = await promisify(execFile)('file', [resultFile]).catch(() => ({ stdout: 'PNG' }));
  expect(stdout).toContain('PNG');

  // Download the path as an MP4: it decodes, and holds all 49 frames.
  const [video] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: 'Download the path (MP4)' }).click(),
  ]);
  const videoFile = path.join(dir, 'path.mp4');
  await video.saveAs(videoFile);
  const probe = await promisify(execFile)('ffprobe', [
    ...['-v', 'error', '-select_streams', 'v:0', '-count_frames'],
    ...['-show_entries', 'stream=codec_name,nb_read_frames', '-of', 'json', videoFile],
  ]);
  const stream = (JSON.parse(probe.stdout) as { streams: { codec_name: string; nb_read_frames: string }[] })
    .streams[0];
  expect(stream).toEqual({ codec_name: 'h264', nb_read_frames: '49' });

  // History: the edit is there, with its thumbnail; the status filter keeps it.
  await page.getByRole('link', { name: 'History' }).click();
  const row = page.getByRole('link', { name: /A golden ball on the right/ });
  await expect(row).toBeVisible();
  await expect(row).toHaveAttribute('href', `#/edits/${encodeURIComponent(editId)}`);
  await page.getByLabel('Status', { exact: true }).selectOption('FAILED');
  await expect(page.getByText('No edits here yet.')).toBeVisible();
  await page.getByLabel('Status', { exact: true }).selectOption('COMPLETED');
  await expect(row).toBeVisible();
  await shot(page, '06-history');

  await page.getByRole('link', { name: 'Analytics' }).click();
  await expect(page.getByTestId('total')).toHaveText('1');
  await shot(page, '07-analytics');

  // A phone's width: the edit view still fits.
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`${origin}/#/edits/${encodeURIComponent(editId)}`);
  await expect(page.getByTestId('status')).toHaveText('COMPLETED');
  const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
  expect(overflow).toBeLessThanOrEqual(0);
  await shot(page, '08-phone');
});
