/**
 * The Design view's side panels: the palette and the sidebar are resized by dragging (or with the
 * keyboard on) the splitter on their inner edge, collapse to a strip whose button expands them
 * again, and both the width and the collapsed state come back after a reload.
 */
import type { Locator, Page } from '@playwright/test';
import { expect, test } from './fixtures';

const width = async (l: Locator) => (await l.boundingBox())!.width;

/** A start without an open file shows the template gallery: open the MLP from it. */
async function openMlp(page: Page): Promise<void> {
  await page.getByTestId('template-mlp').click();
  await expect(page.getByTestId('node-input_1')).toBeVisible({ timeout: 30_000 });
}

/** Drags a handle `dx` pixels sideways, in steps, as a person does. */
async function dragBy(page: Page, handle: Locator, dx: number): Promise<void> {
  const h = (await handle.boundingBox())!;
  const x = h.x + h.width / 2;
  const y = h.y + h.height / 2;
  await page.mouse.move(x, y);
  await page.mouse.down();
  await page.mouse.move(x + dx / 2, y, { steps: 5 });
  await page.mouse.move(x + dx, y, { steps: 5 });
  await page.mouse.up();
}

test('the palette and the sidebar resize, collapse, and keep both across a reload', async ({
  page,
  served,
}) => {
  test.setTimeout(120_000);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.setViewportSize({ width: 1280, height: 720 });
  await page.goto(served.url);
  await openMlp(page);
  const palette = page.getByTestId('palette');
  const sidebar = page.getByTestId('sidebar');
  const canvas = page.getByTestId('canvas');
  const grip = page.getByTestId('splitter-palette');
  await expect(palette).toHaveAttribute('data-collapsed', 'false');
  await expect(sidebar).toHaveAttribute('data-collapsed', 'false');
  await expect(grip).toHaveAttribute('role', 'separator');
  await expect(grip).toHaveAttribute('aria-orientation', 'vertical');
  await expect(grip).toHaveAttribute('aria-valuenow', '230');

  // Drag the palette's edge 120 px towards the canvas: the palette widens, the canvas narrows.
  const paletteBefore = await width(palette);
  const canvasBefore = await width(canvas);
  await dragBy(page, grip, 120);
  await expect.poll(() => width(palette)).toBeGreaterThan(paletteBefore + 100);
  const widened = Math.round(await width(palette));
  await expect(grip).toHaveAttribute('aria-valuenow', String(widened));
  await expect.poll(() => width(canvas)).toBeLessThan(canvasBefore - 100);
  // The drag moved the edge only: no palette item (now under the pointer) was dragged onto the canvas.
  await expect(page.locator('.react-flow__node')).toHaveCount(6);

  // The keyboard moves the focused handle by 16 px.
  await grip.focus();
  await page.keyboard.press('ArrowRight');
  await expect(grip).toHaveAttribute('aria-valuenow', String(widened + 16));
  await page.keyboard.press('ArrowLeft');
  await expect(grip).toHaveAttribute('aria-valuenow', String(widened));

  // Collapse the sidebar: a narrow strip, the canvas takes the space, the button stays usable.
  const canvasOpen = await width(canvas);
  const toggle = page.getByTestId('collapse-sidebar');
  await toggle.click();
  await expect(sidebar).toHaveAttribute('data-collapsed', 'true');
  await expect(toggle).toBeFocused();
  await expect.poll(() => width(sidebar)).toBeLessThan(40);
  await expect.poll(() => width(canvas)).toBeGreaterThan(canvasOpen + 250);
  await expect(page.getByTestId('splitter-sidebar')).toHaveCount(0);
  await expect(page.getByTestId('tab-inspector')).toBeHidden();
  await expect(toggle).toBeVisible();
  await expect(toggle).toBeInViewport();
  await toggle.click({ trial: true });
  await page.screenshot({ path: 'test-results/e2e/panels-1280x720.png' });

  // After a reload (the gallery again, as with no file open) both states come back.
  await page.reload();
  await openMlp(page);
  await expect(sidebar).toHaveAttribute('data-collapsed', 'true');
  await expect.poll(() => width(sidebar)).toBeLessThan(40);
  await expect(palette).toHaveAttribute('data-collapsed', 'false');
  await expect.poll(() => width(palette)).toBeCloseTo(widened, 0);
  await expect(grip).toHaveAttribute('aria-valuenow', String(widened));

  // The same button expands the sidebar again.
  await page.getByTestId('collapse-sidebar').click();
  await expect(sidebar).toHaveAttribute('data-collapsed', 'false');
  await expect(page.getByTestId('tab-inspector')).toBeVisible();
  await expect(page.getByTestId('splitter-sidebar')).toBeVisible();
  await expect.poll(() => width(sidebar)).toBeCloseTo(340, 0);

  // The palette collapses and expands the same way; a double-click on its handle resets the width.
  await page.getByTestId('collapse-palette').click();
  await expect(palette).toHaveAttribute('data-collapsed', 'true');
  await expect(page.getByTestId('palette-search')).toBeHidden();
  await page.screenshot({ path: 'test-results/e2e/panels-palette-collapsed-1280x720.png' });
  await page.getByTestId('collapse-palette').click();
  await expect(palette).toHaveAttribute('data-collapsed', 'false');
  await expect.poll(() => width(palette)).toBeCloseTo(widened, 0);
  await grip.dblclick();
  await expect.poll(() => width(palette)).toBeCloseTo(230, 0);
  await page.screenshot({ path: 'test-results/e2e/panels-expanded-1280x720.png' });
  expect(errors, 'uncaught errors in the page').toEqual([]);
});

test('a panel is at most 45% of the window and at least 180 px; the two leave the canvas room; a narrower window narrows them', async ({
  page,
  served,
}) => {
  await page.setViewportSize({ width: 1280, height: 720 });
  await page.goto(served.url);
  await openMlp(page);
  const sidebar = page.getByTestId('sidebar');
  const canvas = page.getByTestId('canvas');
  const grip = page.getByTestId('splitter-sidebar');
  // The sidebar's handle is on its left edge: dragging it left widens the sidebar, here past the maximum.
  await dragBy(page, grip, -600);
  await expect(grip).toHaveAttribute('aria-valuenow', String(Math.floor(1280 * 0.45)));
  await expect(grip).toHaveAttribute('aria-valuemax', String(Math.floor(1280 * 0.45)));
  await page.setViewportSize({ width: 1024, height: 768 });
  await expect(grip).toHaveAttribute('aria-valuenow', String(Math.floor(1024 * 0.45)));
  await expect.poll(() => width(sidebar)).toBeCloseTo(Math.floor(1024 * 0.45), 0);
  // The palette as wide as it may be: what the sidebar leaves, less the canvas's minimum of 320 px.
  const paletteGrip = page.getByTestId('splitter-palette');
  await paletteGrip.focus();
  await page.keyboard.press('End');
  await expect(paletteGrip).toHaveAttribute('aria-valuenow', String(1024 - 320 - Math.floor(1024 * 0.45)));
  await expect.poll(() => width(canvas)).toBeGreaterThanOrEqual(319);
  const [c, m] = [await canvas.boundingBox(), await page.getByTestId('rf__minimap').boundingBox()];
  expect(m!.x).toBeGreaterThanOrEqual(c!.x);
  for (const id of ['collapse-palette', 'collapse-sidebar', 'splitter-palette', 'splitter-sidebar'])
    await expect(page.getByTestId(id)).toBeInViewport({ ratio: 1 });
  await page.screenshot({ path: 'test-results/e2e/panels-widest-1024x768.png' });
  await grip.focus();
  await page.keyboard.press('Home');
  await expect(grip).toHaveAttribute('aria-valuenow', '180');
  await expect.poll(() => width(sidebar)).toBeCloseTo(180, 0);
});
