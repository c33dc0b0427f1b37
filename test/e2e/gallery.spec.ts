/**
 * A first launch as a new user meets it: the gallery is open; MLP + Two spirals creates a project
 * ready to train (shapes from the data, recommended settings); Start with them reaches ≥ 0.95 with a
 * boundary that separates the arms. MLP + MNIST gets its Flatten and trains without a shape error.
 */
import { expect, test } from './fixtures';

test('first launch: the gallery, MLP on spirals with the recommended settings, ≥ 0.95', async ({
  page,
  served,
}) => {
  test.setTimeout(150_000);
  await page.setViewportSize({ width: 1280, height: 720 });
  await page.goto(served.url);
  const gallery = page.getByTestId('template-gallery');
  await expect(gallery).toBeVisible();
  await page.screenshot({ path: 'test-results/e2e/gallery-first-launch.png' });
  await page.getByTestId('template-mlp-spirals').click();
  await expect(gallery).toBeHidden();
  // In the Train view, with the data loaded and the recommended settings applied.
  await expect(page.getByTestId('data-summary')).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId('train-recommended')).toHaveAttribute('data-state', 'applied');
  await expect(page.getByTestId('train-learningRate')).toHaveValue('0.01');
  await page.getByTestId('train-start').click();
  await expect(page.getByTestId('train-status')).toHaveText('done', { timeout: 120_000 });
  expect(Number(await page.getByTestId('metric-val-accuracy').textContent())).toBeGreaterThanOrEqual(0.95);
  await page.getByTestId('decision-boundary').scrollIntoViewIfNeeded();
  await page.screenshot({ path: 'test-results/e2e/gallery-spirals-trained.png' });
});

test('the gallery offers MNIST for the MLP: its Flatten is inserted and Start is possible', async ({
  page,
  served,
}) => {
  test.setTimeout(60_000);
  await page.goto(served.url);
  await page.getByTestId('template-mlp-mnist').click();
  await expect(page.getByTestId('data-summary')).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId('train-start')).toBeEnabled();
  await page.getByTestId('view-design').click();
  await expect(page.locator('[data-kind="Flatten"]')).toHaveCount(1);
  await expect(page.getByTestId('node-input_1')).toBeVisible();
});

test('the autoencoder card trains on MNIST with its inputs as targets and shows what it rebuilt', async ({
  page,
  served,
}) => {
  test.setTimeout(120_000);
  await page.setViewportSize({ width: 1280, height: 720 });
  await page.goto(served.url);
  await page.getByTestId('template-autoencoder-mnist').click();
  await expect(page.getByTestId('data-summary')).toContainText('targets = inputs', { timeout: 30_000 });
  await expect(page.getByTestId('data-targets')).toHaveValue('inputs');
  await expect(page.getByTestId('train-recommended')).toHaveAttribute('data-state', 'applied');
  // Fewer epochs than recommended keep the test short; five already beat the mean image.
  await page.getByTestId('train-epochs').fill('5');
  await page.getByTestId('train-start').click();
  await expect(page.getByTestId('train-status')).toHaveText('done', { timeout: 90_000 });
  const shown = page.getByTestId('reconstructions');
  await expect(shown).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId('reconstruction-11')).toBeVisible();
  await expect(page.locator('[data-baseline="pca"]')).toBeVisible();
  await shown.scrollIntoViewIfNeeded();
  await page.screenshot({ path: 'test-results/e2e/gallery-autoencoder.png' });
  await page.setViewportSize({ width: 1920, height: 1080 });
  await page.screenshot({ path: 'test-results/e2e/gallery-autoencoder-1920.png' });
  // The design has the bottleneck the PCA baseline is as narrow as.
  await page.getByTestId('view-design').click();
  await expect(page.getByTestId('node-dense_2')).toContainText('32');
});
