// The web page (apps/web) in a real browser: Debian's chromium (never a downloaded one) driven by
// Playwright's test runner against the whole platform started as in the e2e tests. `npm test` runs
// it (scripts/test.js); alone: `npx playwright test -c test/browser` with TEST_DATABASE_URL and
// KAFKA_BROKERS set (infra/up.sh) after a build. Screenshots of every screen: .cache/browser-test.
import path from 'node:path';

import { defineConfig } from '@playwright/test';

export const ARTIFACTS = path.resolve(__dirname, '../../.cache/browser-test');

export default defineConfig({
  testDir: __dirname,
  testMatch: '*.browser-spec.ts',
  outputDir: path.join(ARTIFACTS, 'results'),
  timeout: 240_000,
  expect: { timeout: 60_000 },
  workers: 1,
  reporter: [['list']],
  use: {
    headless: true,
    viewport: { width: 1280, height: 900 },
    acceptDownloads: true,
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-dev-shm-usage'],
    },
  },
});
