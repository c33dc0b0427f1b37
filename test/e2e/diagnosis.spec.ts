/**
 * Diagnosis as a person meets it: a perceptron trained on XOR is told, after the evaluation, that a
 * single layer cannot separate it; one click inserts a hidden layer, and the next run separates the
 * quadrants.
 */
import { expect, field, setUp, test } from './fixtures';

test('perceptron on XOR: the diagnosis says why, and its fix makes the next run work', async ({
  app: page,
}) => {
  test.setTimeout(150_000);
  await page.setViewportSize({ width: 1280, height: 720 });
  await setUp(page, 'perceptron', 'xor');
  await field(page, 'epochs', '20');
  await page.getByTestId('train-start').click();
  await expect(page.getByTestId('train-status')).toHaveText('done', { timeout: 60_000 });
  const finding = page.getByTestId('finding-not-linearly-separable');
  await expect(finding).toBeVisible({ timeout: 60_000 });
  await expect(finding).toContainText('A single layer cannot separate this');
  await expect(page.getByTestId('findings')).not.toContainText('underfitting');
  await finding.scrollIntoViewIfNeeded();
  await page.screenshot({ path: 'test-results/e2e/diagnosis-xor-1280.png' });
  await page.getByTestId('finding-fix-not-linearly-separable').click();
  await expect(page.getByTestId('notice')).toContainText('Applied');
  // The graph now has a hidden layer: train again, and XOR is learned.
  await field(page, 'learningRate', '0.03');
  await field(page, 'epochs', '40');
  await page.getByTestId('train-start').click();
  await expect(page.getByTestId('train-status')).toHaveText('done', { timeout: 90_000 });
  expect(Number(await page.getByTestId('metric-val-accuracy').textContent())).toBeGreaterThanOrEqual(0.9);
  await expect(page.getByTestId('finding-not-linearly-separable')).toHaveCount(0, { timeout: 30_000 });
});
