/**
 * The learning-rate finder as a person uses it: MLP on spirals, "Find a learning rate", read the
 * curve, "Use" the suggestion, train: the spirals separate.
 */
import { expect, field, setUp, test } from './fixtures';

test('MLP on spirals: find a learning rate, use it, and the run separates the arms', async ({
  app: page,
}) => {
  test.setTimeout(150_000);
  await page.setViewportSize({ width: 1280, height: 720 });
  await setUp(page, 'mlp', 'spirals');
  await page.getByTestId('lr-find').click();
  await expect(page.getByTestId('lr-find-chart')).toBeVisible({ timeout: 60_000 });
  const apply = page.getByTestId('lr-find-apply');
  const label = (await apply.textContent())!;
  const suggested = Number(/Use ([\d.e-]+)/.exec(label)![1]);
  expect(suggested).toBeGreaterThan(1e-4);
  expect(suggested).toBeLessThan(0.5);
  await page.screenshot({ path: 'test-results/e2e/lrfind-1280.png' });
  await apply.click();
  await expect(page.getByTestId('train-learningRate')).toHaveValue(String(suggested));
  await field(page, 'epochs', '40');
  await page.getByTestId('train-start').click();
  await expect(page.getByTestId('train-status')).toHaveText('done', { timeout: 120_000 });
  expect(Number(await page.getByTestId('metric-val-accuracy').textContent())).toBeGreaterThanOrEqual(0.95);
});
