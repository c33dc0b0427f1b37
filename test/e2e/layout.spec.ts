/**
 * Every screen from 1280×720 up (and 1024×768 usable): the main screens are walked at four sizes and
 * any element with a test id that its container cuts off (past an edge that neither scrolls nor
 * shows it) fails the test. The toolbar moves buttons into its overflow menu instead of wrapping.
 */
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';

/** Elements with a test id, and table cells, cut off by an ancestor that clips without scrolling, or by the window. */
async function clipped(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const bad: string[] = [];
    const scrolls = (o: string) => o === 'auto' || o === 'scroll';
    // Elements with a test id, and every table cell (a matrix's last columns are what gets cut).
    for (const el of Array.from(document.querySelectorAll<HTMLElement>('[data-testid], th, td'))) {
      const r = el.getBoundingClientRect();
      // The canvas pans: its nodes and its background may lie past its edge by design.
      const onCanvas = el.closest('.react-flow') && !el.closest('.react-flow__panel');
      if (r.width === 0 || r.height === 0 || onCanvas) continue;
      const id = el.dataset.testid ?? `${el.tagName.toLowerCase()} "${(el.textContent ?? '').slice(0, 20)}"`;
      // Along an axis, a scrolling ancestor makes the element reachable; a clipping one cuts it.
      let reachX = false;
      let reachY = false;
      for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
        const cs = getComputedStyle(p);
        const q = p.getBoundingClientRect();
        const name = typeof p.className === 'string' && p.className ? p.className : p.tagName;
        if (!reachX && cs.overflowX !== 'visible') {
          if (scrolls(cs.overflowX)) reachX = true;
          else if (r.left < q.left - 1 || r.right > q.right + 1)
            bad.push(`${id}: cut at the side by ${name}`);
        }
        if (!reachY && cs.overflowY !== 'visible') {
          if (scrolls(cs.overflowY)) reachY = true;
          else if (r.top < q.top - 1 || r.bottom > q.bottom + 1)
            bad.push(`${id}: cut at the top or bottom by ${name}`);
        }
      }
      if (!reachX && (r.left < -1 || r.right > window.innerWidth + 1))
        bad.push(`${id}: past the window's side`);
      if (!reachY && (r.top < -1 || r.bottom > window.innerHeight + 1))
        bad.push(`${id}: past the window's bottom`);
    }
    return [...new Set(bad)];
  });
}

const SIZES = [
  [1024, 768],
  [1280, 720],
  [1440, 900],
  [1920, 1080],
] as const;

test('the main screens at 1024×768, 1280×720, 1440×900 and 1920×1080: nothing with a test id is cut off', async ({
  page,
  served,
}) => {
  test.setTimeout(120_000);
  await page.setViewportSize({ width: 1280, height: 720 });
  await page.goto(served.url);
  await page.getByTestId('template-mlp-spirals').click();
  await expect(page.getByTestId('data-summary')).toBeVisible({ timeout: 30_000 });
  await page.getByTestId('train-start').click();
  await expect(page.getByTestId('train-status')).toHaveText('done', { timeout: 60_000 });
  await expect(page.getByTestId('baseline-ladder')).toBeVisible({ timeout: 30_000 });
  for (const [width, height] of SIZES) {
    await page.setViewportSize({ width, height });
    const tag = `${width}x${height}`;
    await page.getByTestId('view-train').click();
    expect(await clipped(page), `Train view at ${tag}`).toEqual([]);
    await page.screenshot({ path: `test-results/e2e/layout-train-${tag}.png` });
    await page.getByTestId('view-design').click();
    await page.getByTestId('node-dense_1').click();
    expect(await clipped(page), `Design view at ${tag}`).toEqual([]);
    await page.screenshot({ path: `test-results/e2e/layout-design-${tag}.png` });
    await page.getByTestId('tab-summary').click();
    expect(await clipped(page), `Summary at ${tag}`).toEqual([]);
    await page.getByTestId('tab-inspector').click();
    // Every toolbar command is reachable: on the bar, or in its overflow menu.
    const overflow = page.getByTestId('toolbar-overflow');
    if (width < 1280) {
      await expect(overflow).toBeVisible();
      await overflow.click();
      await expect(page.getByTestId('overflow-layout')).toBeVisible();
      expect(await clipped(page), `Overflow menu at ${tag}`).toEqual([]);
      await page.screenshot({ path: `test-results/e2e/layout-overflow-${tag}.png` });
      await page.getByTestId('overflow-layout').click();
    } else {
      // From 1440 everything is on the bar; at 1280 the block commands may wait in ⋯ (with a
      // recent-files list beside Open), the canvas commands stay on the bar.
      if (width >= 1440) await expect(overflow).toBeHidden();
      await expect(page.getByTestId('cmd-layout')).toBeVisible();
    }
    await page.keyboard.press('Control+k');
    await expect(page.getByTestId('cmd-palette')).toBeVisible();
    expect(await clipped(page), `Ctrl+K at ${tag}`).toEqual([]);
    await page.keyboard.press('Escape');
  }
});

test('wide content fits or scrolls in its panel: a 10-class confusion matrix, the Transformer’s summary', async ({
  page,
  served,
}) => {
  test.setTimeout(120_000);
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.goto(served.url);
  await page.getByTestId('template-cnn-digits').click();
  await expect(page.getByTestId('data-summary')).toBeVisible({ timeout: 30_000 });
  await page.getByTestId('train-epochs').fill('3');
  await page.getByTestId('train-start').click();
  await expect(page.getByTestId('train-status')).toHaveText('done', { timeout: 60_000 });
  const matrix = page.getByTestId('confusion-matrix');
  await expect(matrix).toBeVisible({ timeout: 30_000 });
  for (const [width, height] of [
    [1440, 900],
    [1280, 720],
  ] as const) {
    await page.setViewportSize({ width, height });
    await matrix.scrollIntoViewIfNeeded();
    expect(await clipped(page), `confusion matrix at ${width}x${height}`).toEqual([]);
    // It fits its panel, or scrolls inside it: never wider than the panel.
    const [m, panel] = await Promise.all([
      matrix.boundingBox(),
      page.locator('.train-view > .panel:last-child').boundingBox(),
    ]);
    expect(m!.x + m!.width).toBeLessThanOrEqual(panel!.x + panel!.width + 1);
    await page.screenshot({ path: `test-results/e2e/layout-confusion-${width}x${height}.png` });
  }
  await page.getByTestId('cmd-new').click();
  // The trained project is unsaved: the dialog offers Save first, and Discard.
  await expect(page.getByTestId('confirm-primary')).toHaveText('Save');
  await page.getByTestId('confirm-ok').click();
  await page.getByTestId('template-transformer').click();
  await page.getByTestId('view-design').click();
  await page.getByTestId('tab-summary').click();
  expect(await clipped(page), 'Transformer summary at 1280x720').toEqual([]);
  await page.screenshot({ path: 'test-results/e2e/layout-summary-transformer.png' });
});
