/**
 * Trust in the app: the graph is read-only while it trains, weights an edit makes stale are never
 * saved (and come back with Undo), and a diverged run leaves every panel true: the curve up to the
 * blow-up, the kept weights evaluated and drawn, the advice said once, no internal run ids.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { readProjectFile } from '../../shared/ir/project';
import { expect, field, setUp, test } from './fixtures';

async function trainedSpirals(page: Page) {
  await setUp(page, 'mlp', 'spirals');
  await field(page, 'epochs', '30');
  await field(page, 'learningRate', '0.01');
  await page.getByTestId('train-start').click();
  await expect(page.getByTestId('train-status')).toHaveText('done', { timeout: 90_000 });
  await expect(page.getByTestId('confusion-matrix')).toBeVisible({ timeout: 30_000 });
}

const saved = (root: string, name: string) => readProjectFile(readFileSync(path.join(root, name)));

test('while it trains the graph is read-only; after it, an edit makes the weights stale, Save leaves them out and Undo brings them back', async ({
  app: page,
  served,
}) => {
  test.setTimeout(180_000);
  await trainedSpirals(page);
  await page.getByTestId('cmd-save').click();
  await page.getByTestId('fb-filename').fill('trust.nnproj');
  await page.getByTestId('fb-save').click();
  await expect(page.getByTestId('notice')).toContainText('Saved');
  const trained = saved(served.root, 'trust.nnproj').weights!;
  await expect(page.getByTestId('weights-state')).toHaveAttribute('data-state', 'fit');

  // During a run: the canvas and the inspector say so, and edits are refused.
  await field(page, 'epochs', '3000');
  await page.getByTestId('train-start').click();
  await expect(page.getByTestId('train-status')).toHaveText('running');
  await page.getByTestId('view-design').click();
  await expect(page.getByTestId('canvas-locked')).toBeVisible();
  await expect(page.getByTestId('weights-state')).toHaveAttribute('data-state', 'training');
  await page.getByTestId('node-dense_1').click();
  await expect(page.getByTestId('inspector-locked')).toBeVisible();
  await expect(page.getByTestId('param-units')).toBeDisabled();
  const nodes = await page.locator('.react-flow__node').count();
  await page.keyboard.press('Delete');
  await expect(page.getByTestId('notice')).toContainText('read-only while it trains');
  expect(await page.locator('.react-flow__node').count()).toBe(nodes);
  await page.keyboard.press('Control+z');
  expect(await page.locator('.react-flow__node').count()).toBe(nodes);
  await page.screenshot({ path: 'test-results/e2e/trust-locked.png' });
  await page.getByTestId('view-train').click();
  await page.getByTestId('train-stop').click();
  await expect(page.getByTestId('train-status')).toHaveText('cancelled', { timeout: 5000 });
  await expect(page.getByTestId('run-note')).toContainText('weights from before this run are kept');

  // After the run: an edit that changes weight shapes makes the weights stale.
  await page.getByTestId('view-design').click();
  await expect(page.getByTestId('canvas-locked')).toHaveCount(0);
  await page.getByTestId('node-dense_1').click();
  await page.getByTestId('param-units').fill('64');
  await page.getByTestId('param-units').press('Enter');
  await expect(page.getByTestId('weights-state')).toHaveAttribute('data-state', 'stale');
  await page.getByTestId('view-train').click();
  await expect(page.getByTestId('weights-stale')).toContainText('dense_1');
  // Nothing shown is about weights the graph no longer has: no evaluation, no boundary.
  await expect(page.getByTestId('evaluation-note')).toContainText('no longer fit');
  await expect(page.getByTestId('confusion-matrix')).toHaveCount(0);
  await page.screenshot({ path: 'test-results/e2e/trust-stale.png' });
  await page.getByTestId('cmd-save').click();
  await expect(page.getByTestId('notice')).toContainText('Saved without the trained weights');
  expect(saved(served.root, 'trust.nnproj').weights).toBeUndefined();

  // Undo: the weights fit again, and the next save writes them, bit for bit.
  await page.getByTestId('view-design').click();
  await page.getByTestId('cmd-undo').click();
  await expect(page.getByTestId('weights-state')).toHaveAttribute('data-state', 'fit');
  await page.getByTestId('view-train').click();
  await expect(page.getByTestId('confusion-matrix')).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId('weights-stale')).toHaveCount(0);
  await page.getByTestId('cmd-save').click();
  await expect(page.getByTestId('notice')).toHaveText(/^Saved trust\.nnproj$/);
  const back = saved(served.root, 'trust.nnproj').weights!;
  expect(Buffer.from(back.weightsBin).equals(Buffer.from(trained.weightsBin))).toBe(true);
});

test('a diverged run leaves every panel true: curve to the blow-up, kept weights evaluated and drawn, advice once', async ({
  app: page,
}) => {
  test.setTimeout(180_000);
  await trainedSpirals(page);
  const accuracy = await page.getByTestId('confusion-matrix').getAttribute('data-total');
  await field(page, 'learningRate', '1000000');
  await page.getByTestId('train-start').click();
  await expect(page.getByTestId('train-status')).toHaveText('diverged', { timeout: 60_000 });
  const banner = page.getByTestId('diverged-banner');
  await expect(banner).toContainText('Training diverged');
  await expect(page.getByTestId('kept-message')).toContainText('weights the project had are kept');
  // The advice is said once (the engine's sentence), with one button to act on it.
  expect((await banner.textContent())!.match(/smaller learning rate/gi)?.length).toBe(1);
  await expect(banner.getByRole('button', { name: /Use learning rate/ })).toBeVisible();
  // The loss chart has the points up to the blow-up.
  expect(Number(await page.getByTestId('loss-chart').getAttribute('data-points'))).toBeGreaterThan(0);
  // The evaluation is of the kept weights (not "Evaluating…" forever), and so is the boundary.
  await expect(page.getByTestId('confusion-matrix')).toHaveAttribute('data-total', accuracy!, {
    timeout: 30_000,
  });
  await expect(page.getByText('Evaluating')).toHaveCount(0);
  await expect(page.getByTestId('decision-boundary')).toBeVisible();
  await expect(page.getByTestId('weights-state')).toHaveAttribute('data-state', 'fit');
  // No internal run id anywhere in the status bar.
  await expect(page.locator('.statusbar')).not.toContainText(/run-[a-z0-9]+-[a-z0-9]+/);
  await page.getByTestId('loss-chart').scrollIntoViewIfNeeded();
  await page.screenshot({ path: 'test-results/e2e/trust-diverged.png' });
});
