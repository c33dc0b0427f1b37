// Finds a Chromium for the browser tests, the way developers expect, on Linux, macOS and Windows:
// $CHROMIUM_PATH, then Playwright's own installed browsers (`npx playwright install chromium`), then
// the usual system locations. `node scripts/find-chromium.mjs --check` (the first step of `npm test`)
// prints the one line saying what to install and exits 1 when there is none, so a machine without
// a browser learns it in its first seconds instead of after the unit tests.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const INSTALL_HINT =
  'no Chromium for the browser tests: run `npx playwright install chromium` ' +
  '(or install Chromium or Google Chrome, or set CHROMIUM_PATH to a Chromium-based browser).';

/** Playwright's own browsers, if `npx playwright install chromium` put one on this machine. */
function playwrightBrowsers() {
  try {
    const require = createRequire(import.meta.url);
    const { chromium } = require('playwright-core');
    const p = chromium.executablePath();
    return p ? [p] : [];
  } catch {
    return [];
  }
}

/** The usual places a Chromium-based browser is installed, per platform. */
export function systemLocations(platform = process.platform, env = process.env) {
  if (platform === 'darwin')
    return [
      '/Applications/Chromium.app/Contents/MacOS/Chromium',
      '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
      path.join(os.homedir(), 'Applications/Chromium.app/Contents/MacOS/Chromium'),
      path.join(os.homedir(), 'Applications/Google Chrome.app/Contents/MacOS/Google Chrome'),
      '/Applications/Microsoft Edge.app/Contents/MacOS/Microsoft Edge',
    ];
  if (platform === 'win32') {
    const roots = [env.LOCALAPPDATA, env.PROGRAMFILES, env['PROGRAMFILES(X86)']].filter(Boolean);
    return roots.flatMap((r) => [
      path.win32.join(r, 'Chromium', 'Application', 'chrome.exe'),
      path.win32.join(r, 'Google', 'Chrome', 'Application', 'chrome.exe'),
      path.win32.join(r, 'Microsoft', 'Edge', 'Application', 'msedge.exe'),
    ]);
  }
  return [
    '/usr/bin/chromium',
    '/usr/bin/chromium-browser',
    '/usr/lib/chromium/chromium',
    '/snap/bin/chromium',
    '/usr/bin/google-chrome',
    '/usr/bin/google-chrome-stable',
    '/usr/bin/microsoft-edge',
  ];
}

/**
 * The Chromium to use and where it was found, or an error line. `CHROMIUM_PATH`, when set, must
 * point at a file: it is never silently replaced by another browser.
 */
export function findChromium({ env = process.env, exists = existsSync, platform = process.platform } = {}) {
  if (env.CHROMIUM_PATH) {
    if (exists(env.CHROMIUM_PATH)) return { path: env.CHROMIUM_PATH, source: 'CHROMIUM_PATH' };
    return { error: `CHROMIUM_PATH is ${env.CHROMIUM_PATH}, which does not exist; ${INSTALL_HINT}` };
  }
  for (const p of playwrightBrowsers()) if (exists(p)) return { path: p, source: 'playwright' };
  for (const p of systemLocations(platform, env)) if (exists(p)) return { path: p, source: 'system' };
  return { error: INSTALL_HINT };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const found = findChromium();
  if ('error' in found) {
    console.error(`netloom: ${found.error}`);
    process.exit(1);
  }
  if (!process.argv.includes('--check')) console.log(found.path);
}
