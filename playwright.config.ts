import { defineConfig } from '@playwright/test';
import { findChromium } from './scripts/find-chromium.mjs';

// End-to-end tests of the real app in serve mode, in the Chromium scripts/find-chromium.mjs finds:
// $CHROMIUM_PATH, Playwright's own browsers, or the system's (Debian's /usr/bin/chromium in CI).
const chromium = findChromium();
if ('error' in chromium) throw new Error(`netloom: ${chromium.error}`);
export default defineConfig({
  testDir: 'test/e2e',
  outputDir: 'test-results/e2e',
  timeout: 90_000,
  expect: { timeout: 10_000 },
  workers: 1,
  retries: 0,
  reporter: [['list']],
  use: {
    viewport: { width: 1440, height: 900 },
    launchOptions: {
      executablePath: chromium.path,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-dev-shm-usage'],
    },
    trace: 'off',
    screenshot: 'only-on-failure',
  },
});
