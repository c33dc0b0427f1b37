/**
 * Readable graphs: Fit never zooms out past a readable level (a deep Transformer is shown from its
 * Input and pans from there), the layout can run left to right, nodes can be compact (kind and shape
 * only), and the minimap draws nodes in their category colours.
 */
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';

const zoom = async (page: Page) =>
  page
    .locator('.react-flow__viewport')
    .evaluate((el) => new DOMMatrixReadOnly(getComputedStyle(el).transform).a);

test('Fit keeps labels readable; left-to-right layout; compact nodes; a coloured minimap', async ({
  page,
  served,
}) => {
  await page.setViewportSize({ width: 1280, height: 720 });
  await page.goto(served.url);
  await page.getByTestId('template-transformer').click();
  await page.getByTestId('cmd-fit').click();
  await expect.poll(() => zoom(page)).toBeGreaterThanOrEqual(0.75);
  await expect(page.getByTestId('node-input_1')).toBeInViewport();
  await page.screenshot({ path: 'test-results/e2e/readable-fit.png' });

  await page.keyboard.press('Control+k');
  await page.keyboard.type('left to right');
  await page.getByTestId('cmdk-cmd-layoutLR').click();
  const box = async (id: string) => (await page.getByTestId(`node-${id}`).boundingBox())!;
  await expect
    .poll(async () => (await box('positionalembedding_1')).x - (await box('input_1')).x)
    .toBeGreaterThan(100);
  expect(Math.abs((await box('positionalembedding_1')).y - (await box('input_1')).y)).toBeLessThan(60);
  await page.screenshot({ path: 'test-results/e2e/readable-lr.png' });

  await expect(page.getByTestId('node-params-input_1')).toBeVisible();
  await page.keyboard.press('Control+k');
  await page.keyboard.type('compact nodes');
  await page.getByTestId('cmdk-cmd-compactNodes').click();
  await expect(page.getByTestId('node-params-input_1')).toHaveCount(0);
  await expect(page.getByTestId('node-shape-input_1')).toBeVisible();
  const fill = await page
    .locator('.react-flow__minimap-node')
    .first()
    .evaluate((el) => (el as SVGElement).style.fill);
  expect(fill).toMatch(/var\(--cat-/);
  await page.screenshot({ path: 'test-results/e2e/readable-compact.png' });
  // Remembered for the next session, and back.
  await page.keyboard.press('Control+k');
  await page.keyboard.type('compact nodes');
  await page.getByTestId('cmdk-cmd-compactNodes').click();
  await page.keyboard.press('Control+k');
  await page.keyboard.type('top to bottom');
  await page.getByTestId('cmdk-cmd-layoutTB').click();
});
