/**
 * Starts a real `netloom serve` process per worker (its own served folder and data folder) and logs
 * in once, in a real browser context, with the printed one-time token: the browser follows the
 * redirect to the clean address and keeps the session cookie. Every test's context starts from that
 * browser state (`storageState`), so its pages open `url` (no token) already logged in.
 */
import { test as base, expect, type BrowserContextOptions, type Page } from '@playwright/test';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface Served {
  /** The app's address, without the token (the session cookie lets a page in). */
  url: string;
  /** The printed address with the one-time token; spent by the login in the `server` fixture. */
  loginUrl: string;
  root: string;
  dataDir: string;
  proc: ChildProcess;
  /** The logged-in browser state (the session cookie) every test's context starts from. */
  storageState: Exclude<BrowserContextOptions['storageState'], string | undefined>;
}

export async function startServe(
  root: string,
  dataDir: string,
  extraArgs: string[] = [],
): Promise<Omit<Served, 'storageState'>> {
  const proc = spawn(
    process.execPath,
    ['bin/netloom.js', 'serve', '--no-open', '--port', '0', '--root', root, ...extraArgs],
    {
      env: { ...process.env, NETLOOM_DATA_DIR: dataDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const loginUrl = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`serve did not start: ${out}`)), 20_000);
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /http:\/\/\S+\?token=\S+/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[0]);
      }
    });
    proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    proc.on('exit', (code) => reject(new Error(`serve exited ${code}: ${out}`)));
  });
  const clean = new URL(loginUrl);
  clean.search = '';
  return { url: clean.toString(), loginUrl, root, dataDir, proc };
}

export const test = base.extend<{ served: Served; app: Page }, { server: Served }>({
  server: [
    async ({ browser }, use) => {
      const root = mkdtempSync(path.join(tmpdir(), 'netloom-e2e-root-'));
      const dataDir = mkdtempSync(path.join(tmpdir(), 'netloom-e2e-data-'));
      const s = await startServe(root, dataDir);
      // The one use of the token: the cookie is set and the address bar keeps no token.
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(s.loginUrl);
      expect(page.url()).toBe(s.url);
      const storageState = await context.storageState();
      await context.close();
      expect(storageState.cookies.map((c) => c.name)).toEqual(['netloom_session']);
      await use({ ...s, storageState });
      s.proc.kill('SIGTERM');
    },
    { scope: 'worker' },
  ],
  storageState: async ({ server }, use) => use(server.storageState),
  served: async ({ server }, use) => use(server),
  app: async ({ page, server }, use) => {
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(server.url);
    await ready(page);
    await use(page);
    expect(errors, 'uncaught errors in the page').toEqual([]);
  },
});

export { expect };

/**
 * The app has started: the canvas is ready and the gallery a start without a file opens (first
 * launch) is closed, so a test begins from the empty canvas. After `page.reload()` too.
 */
export async function ready(page: Page): Promise<void> {
  await expect(page.getByTestId('canvas')).toHaveAttribute('data-ready', 'true');
  const gallery = page.getByTestId('template-gallery');
  await gallery.waitFor({ state: 'visible', timeout: 5_000 }).catch(() => undefined);
  if (await gallery.isVisible()) {
    await page.keyboard.press('Escape');
    await expect(gallery).toBeHidden();
  }
}

/** Drags a palette item onto the canvas at (x, y) relative to the canvas. */
export async function dropLayer(page: Page, kind: string, x: number, y: number): Promise<void> {
  const canvas = page.getByTestId('canvas');
  await page.getByTestId(`palette-item-${kind}`).dragTo(canvas, { targetPosition: { x, y } });
}

/** Drags from a node's output handle to another node's input port. */
export async function wire(page: Page, from: string, to: string, port = 'in'): Promise<void> {
  const a = await page.getByTestId(`handle-${from}-out`).boundingBox();
  const b = await page.getByTestId(`handle-${to}-${port}`).boundingBox();
  if (!a || !b) throw new Error(`handles not visible: ${from} -> ${to}.${port}`);
  await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
  await page.mouse.down();
  await page.mouse.move((a.x + b.x) / 2, (a.y + b.y) / 2, { steps: 5 });
  await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 5 });
  await page.mouse.up();
}

/** Selects a node and sets one inspector field. */
export async function setParam(page: Page, node: string, name: string, value: string): Promise<void> {
  await page.getByTestId(`node-${node}`).click();
  const field = page.getByTestId(`param-${name}`);
  const tag = await field.evaluate((el) => el.tagName);
  if (tag === 'SELECT') await field.selectOption(value);
  else {
    await field.fill(value);
    await field.press('Enter');
  }
}

/** New project from a template, then the Train view with a built-in dataset loaded. */
export async function setUp(page: Page, template: string, dataset: string): Promise<void> {
  await page.getByTestId('cmd-new').click();
  await page.getByTestId(`template-${template}`).click();
  await expect(page.getByTestId('node-input_1')).toBeVisible();
  await page.getByTestId('view-train').click();
  await page.getByTestId('dataset-select').selectOption(dataset);
  await expect(page.getByTestId('data-summary')).toBeVisible({ timeout: 30_000 });
}

/** Sets a training field (`train-<name>`) as a person does: type, then leave the field. */
export async function field(page: Page, name: string, value: string): Promise<void> {
  const f = page.getByTestId(`train-${name}`);
  await f.fill(value);
  await f.press('Tab');
}
