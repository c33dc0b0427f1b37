import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { readProjectFile } from '../../shared/ir/project';
import { expect, field, ready, setUp, test } from './fixtures';

const points = async (page: Page, chart: string) =>
  Number(await page.getByTestId(chart).getAttribute('data-points'));

test('MLP on spirals: live curves and boundary, ≥ 0.95, confusion matrix, save and reopen', async ({
  app: page,
  served,
}) => {
  test.setTimeout(150_000);
  await setUp(page, 'mlp', 'spirals');
  await expect(page.getByTestId('data-preview')).toHaveAttribute('data-kind', 'scatter');
  await field(page, 'epochs', '40');
  await field(page, 'learningRate', '0.01');
  // A cosine schedule down to 1e-4, a little weight decay, clipping (saved with the project below).
  await page.getByTestId('train-schedule').selectOption('cosine');
  await expect(page.getByTestId('train-schedule-section')).toContainText('Last epoch: 0.000115');
  await field(page, 'weightDecay', '1e-4');
  await field(page, 'clipNorm', '1');
  await page.getByTestId('train-schedule-section').scrollIntoViewIfNeeded();
  await page.screenshot({ path: 'test-results/e2e/training-schedule.png' });
  await page.getByTestId('train-start').click();
  await expect(page.getByTestId('train-status')).toHaveText('running');

  // The chart grows while the run goes on, and the decision boundary changes between two looks.
  await expect.poll(() => points(page, 'loss-chart'), { timeout: 30_000 }).toBeGreaterThan(5);
  const before = await points(page, 'loss-chart');
  const boundary = page.getByTestId('decision-boundary');
  await expect.poll(async () => (await boundary.screenshot()).length, { timeout: 30_000 }).toBeGreaterThan(0);
  const shot1 = await boundary.screenshot();
  // Polled, not two looks a fixed time apart: on a loaded machine an epoch can take longer than that.
  await expect
    .poll(async () => (await boundary.screenshot()).equals(shot1), { timeout: 30_000, intervals: [250] })
    .toBe(false);
  expect(await points(page, 'loss-chart')).toBeGreaterThan(before);
  await page.screenshot({ path: 'test-results/e2e/training-running.png' });

  await expect(page.getByTestId('train-status')).toHaveText('done', { timeout: 120_000 });
  const acc = Number(await page.getByTestId('metric-val-accuracy').textContent());
  expect(acc).toBeGreaterThanOrEqual(0.95);
  expect(Number(await page.getByTestId('metric-val-loss').textContent())).toBeGreaterThan(0);

  // Confusion matrix totals = validation size (200 of 1,000).
  const matrix = page.getByTestId('confusion-matrix');
  await expect(matrix).toBeVisible({ timeout: 30_000 });
  await expect(matrix).toHaveAttribute('data-total', '200');
  await expect(page.getByTestId('baseline-ladder')).toBeVisible();
  await expect(page.getByTestId('run-history')).toHaveAttribute('data-count', '1');
  await page.screenshot({ path: 'test-results/e2e/training-evaluation.png' });

  // Save, reload, open: the run history and the evaluation come back without retraining.
  await page.getByTestId('cmd-save').click();
  await page.getByTestId('fb-filename').fill('spirals.nnproj');
  await page.getByTestId('fb-save').click();
  await expect(page.getByTestId('notice')).toContainText('Saved');
  const saved = readProjectFile(readFileSync(path.join(served.root, 'spirals.nnproj')));
  expect(saved.weights?.weightsBin.length).toBeGreaterThan(10_000);
  expect(saved.project.runs).toHaveLength(1);
  expect(saved.project.training).toMatchObject({
    schedule: { kind: 'cosine', minLearningRate: 0.0001 },
    weightDecay: 0.0001,
    clipNorm: 1,
  });
  expect((saved.evaluation as { validationCount: number }).validationCount).toBe(200);
  await page.reload();
  await ready(page);
  await page.getByTestId('cmd-open').click();
  await page.getByTestId('fb-entry-spirals.nnproj').click();
  await page.getByTestId('view-train').click();
  await expect(page.getByTestId('run-history')).toHaveAttribute('data-count', '1');
  await expect(page.getByTestId('confusion-matrix')).toHaveAttribute('data-total', '200', {
    timeout: 30_000,
  });
  await expect(page.getByTestId('train-status')).toHaveText('idle');
  // The saved run's curves are drawn again.
  await expect.poll(() => points(page, 'loss-chart'), { timeout: 10_000 }).toBeGreaterThanOrEqual(40);
  // Predicting works at once.
  await page.getByTestId('predict-run').click();
  await expect(page.getByTestId('predict-result')).toContainText('%');
});

test('Stop cancels within a second and Start works again', async ({ app: page }) => {
  test.setTimeout(120_000);
  await setUp(page, 'mlp', 'spirals');
  await field(page, 'epochs', '2000');
  await page.getByTestId('train-start').click();
  await expect.poll(() => points(page, 'loss-chart'), { timeout: 30_000 }).toBeGreaterThan(3);
  const t0 = Date.now();
  await page.getByTestId('train-stop').click();
  await expect(page.getByTestId('train-status')).toHaveText('cancelled', { timeout: 1000 });
  expect(Date.now() - t0).toBeLessThan(1000);
  await field(page, 'epochs', '2');
  await page.getByTestId('train-start').click();
  await expect(page.getByTestId('train-status')).toHaveText('done', { timeout: 60_000 });
});

test('a learning rate of 1e6 ends as diverged with the message, and the app keeps working', async ({
  app: page,
}) => {
  test.setTimeout(90_000);
  await setUp(page, 'mlp', 'spirals');
  await field(page, 'epochs', '5');
  await field(page, 'learningRate', '1000000');
  await page.getByTestId('train-start').click();
  await expect(page.getByTestId('train-status')).toHaveText('diverged', { timeout: 60_000 });
  await expect(page.locator('.train-view')).toContainText(/learning rate/i);
  await page.getByTestId('view-design').click();
  await expect(page.getByTestId('total-params')).not.toHaveText('0');
});

test('a CSV with a broken row names the row; a clean CSV trains; iris shows four baselines', async ({
  app: page,
}) => {
  test.setTimeout(120_000);
  await page.getByTestId('cmd-new').click();
  await page.getByTestId('template-mlp').click();
  await page.getByTestId('view-train').click();
  await page.getByTestId('data-import-csv').setInputFiles(path.resolve('test/fixtures/csv/broken-row.csv'));
  await expect(page.getByTestId('data-error')).toContainText(/line \d+/);
  await page.getByTestId('data-import-csv').setInputFiles(path.resolve('assets/datasets/iris.csv'));
  await expect(page.getByTestId('data-summary')).toContainText('150 samples');
  await expect(page.getByTestId('data-error')).toHaveCount(0);
  await field(page, 'epochs', '30');
  await field(page, 'learningRate', '0.01');
  await page.getByTestId('train-start').click();
  await expect(page.getByTestId('train-status')).toHaveText('done', { timeout: 60_000 });
  await expect(page.getByTestId('baseline-ladder')).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId('baseline-row')).toHaveCount(4);
  // The network's own training time stands beside the baselines' (a duration, not a dash).
  await expect(page.getByTestId('baseline-network').locator('td').last()).toHaveText(/\d+(\.\d+)?\s*(ms|s)/);
});
