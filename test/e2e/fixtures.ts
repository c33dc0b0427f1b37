/**
 * Starts a real `netloom serve` process per test file (its own served folder and data folder), logs
 * the page in with the printed token, and hands the test a page and the folder.
 */
import { test as base, expect, type Page } from '@playwright/test';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface Served {
  url: string;
  root: string;
  dataDir: string;
  proc: ChildProcess;
}

export async function startServe(root: string, dataDir: string, extraArgs: string[] = []): Promise<Served> {
  const proc = spawn(
    process.execPath,
    ['bin/netloom.js', 'serve', '--no-open', '--port', '0', '--root', root, ...extraArgs],
    {
      env: { ...process.env, NETLOOM_DATA_DIR: dataDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const url = await new Promise<string>((resolve, reject) => {
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
  return { url, root, dataDir, proc };
}

export const test = base.extend<{ served: Served; app: Page }, { server: Served }>({
  server: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      const root = mkdtempSync(path.join(tmpdir(), 'netloom-e2e-root-'));
      const dataDir = mkdtempSync(path.join(tmpdir(), 'netloom-e2e-data-'));
      const s = await startServe(root, dataDir);
      await use(s);
      s.proc.kill('SIGTERM');
    },
    { scope: 'worker' },
  ],
  served: async ({ server }, use) => use(server),
  app: async ({ page, server }, use) => {
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(server.url);
    await expect(page.getByTestId('canvas')).toHaveAttribute('data-ready', 'true');
    await use(page);
    expect(errors, 'uncaught errors in the page').toEqual([]);
  },
});

export { expect };

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
