/**
 * Direct manipulation as a person does it: a layer dragged from the palette onto an edge goes into
 * it; one whose shape does not fit is refused with the reason; Delete on a node in a chain joins its
 * neighbours, and one undo brings it back.
 */
import type { Page } from '@playwright/test';
import { dropLayer, expect, test } from './fixtures';

/** The middle of the edge from `a`'s output to `b`'s input, relative to the canvas. */
async function edgeMiddle(page: Page, a: string, b: string) {
  const canvas = (await page.getByTestId('canvas').boundingBox())!;
  const p = (await page.getByTestId(`handle-${a}-out`).boundingBox())!;
  const q = (await page.getByTestId(`handle-${b}-in`).boundingBox())!;
  return {
    x: (p.x + p.width / 2 + q.x + q.width / 2) / 2 - canvas.x,
    y: (p.y + p.height / 2 + q.y + q.height / 2) / 2 - canvas.y,
  };
}

test('drop on an edge inserts, a misfit is refused, Delete joins the chain', async ({ page, served }) => {
  await page.setViewportSize({ width: 1280, height: 720 });
  await page.goto(served.url);
  await page.getByTestId('template-mlp').click();
  await page.getByTestId('cmd-fit').click();
  await expect(page.getByTestId('node-dense_2')).toBeInViewport();

  const mid = await edgeMiddle(page, 'dense_1', 'dense_2');
  await dropLayer(page, 'Dropout', mid.x, mid.y);
  await expect(page.getByTestId('node-dropout_1')).toBeVisible();
  await expect(page.getByTestId('notice')).toContainText('Inserted Dropout between dense_1 and dense_2');
  await expect(page.getByTestId('total-params')).toHaveText('118,282');
  await page.screenshot({ path: 'test-results/e2e/direct-inserted.png' });

  await page.getByTestId('cmd-fit').click();
  const mid2 = await edgeMiddle(page, 'dense_2', 'dense_3');
  await dropLayer(page, 'Conv2D', mid2.x, mid2.y);
  await expect(page.getByTestId('notice')).toContainText('Conv 2D cannot go between dense_2 and dense_3');
  await expect(page.getByTestId('node-conv2d_1')).toHaveCount(0);

  await page.getByTestId('node-dropout_1').click();
  await page.keyboard.press('Delete');
  await expect(page.getByTestId('node-dropout_1')).toHaveCount(0);
  await expect(page.getByTestId('notice')).toContainText('joined dense_1 to dense_2');
  await expect(page.getByTestId('error-item')).toHaveCount(0);
  await page.getByTestId('cmd-undo').click();
  await expect(page.getByTestId('node-dropout_1')).toBeVisible();
});

test('new layers land where there is room and in view; align and distribute from Ctrl+K', async ({
  page,
  served,
}) => {
  await page.setViewportSize({ width: 1280, height: 720 });
  await page.goto(served.url);
  await page.getByTestId('template-mlp').click();
  await expect(page.getByTestId('node-dense_2')).toBeVisible();
  // A box drawn with Shift held selects the nodes inside it.
  const c = (await page.getByTestId('canvas').boundingBox())!;
  await page.keyboard.down('Shift');
  await page.mouse.move(c.x + 6, c.y + 6);
  await page.mouse.down();
  await page.mouse.move(c.x + c.width / 2, c.y + c.height * 0.3, { steps: 5 });
  await page.mouse.move(c.x + c.width - 6, c.y + c.height * 0.6, { steps: 5 });
  await page.mouse.up();
  await page.keyboard.up('Shift');
  await expect(page.locator('.react-flow__node.selected')).not.toHaveCount(0);
  await expect(page.locator('.inspector')).toContainText('layers selected');
  await page.keyboard.press('Escape');
  // Added three times at the canvas's middle: three places, none on another node, all in view.
  for (let i = 0; i < 3; i++) await page.getByTestId('palette-item-Dropout').dblclick();
  const boxes = [];
  for (const id of ['dropout_1', 'dropout_2', 'dropout_3']) {
    await expect(page.getByTestId(`node-${id}`)).toBeInViewport();
    boxes.push((await page.getByTestId(`node-${id}`).boundingBox())!);
  }
  const others = await page
    .locator('.react-flow__node')
    .evaluateAll((els) =>
      els
        .map((e) => e.getBoundingClientRect())
        .map((r) => ({ x: r.x, y: r.y, width: r.width, height: r.height })),
    );
  for (const b of boxes) {
    const overlapping = others.filter(
      (o) => o.x < b.x + b.width && b.x < o.x + o.width && o.y < b.y + b.height && b.y < o.y + o.height,
    );
    expect(overlapping).toHaveLength(1); // itself
  }

  // Align their left edges, then distribute them down with equal gaps.
  await page.getByTestId('node-dropout_1').click();
  await page.getByTestId('node-dropout_2').click({ modifiers: ['Control'] });
  await page.getByTestId('node-dropout_3').click({ modifiers: ['Control'] });
  const run = async (text: string, id: string) => {
    await page.keyboard.press('Control+k');
    await page.keyboard.type(text);
    await page.getByTestId(`cmdk-cmd-${id}`).click();
  };
  await run('align left', 'alignLeft');
  const xs = async () =>
    Promise.all(
      ['dropout_1', 'dropout_2', 'dropout_3'].map(
        async (id) => (await page.getByTestId(`node-${id}`).boundingBox())!.x,
      ),
    );
  await expect.poll(async () => new Set((await xs()).map((x) => Math.round(x))).size).toBe(1);
  await run('distribute down', 'distributeDown');
  const ys = await Promise.all(
    ['dropout_1', 'dropout_2', 'dropout_3'].map(
      async (id) => (await page.getByTestId(`node-${id}`).boundingBox())!,
    ),
  );
  const sorted = ys.sort((p, q) => p.y - q.y);
  const gap1 = sorted[1]!.y - (sorted[0]!.y + sorted[0]!.height);
  const gap2 = sorted[2]!.y - (sorted[1]!.y + sorted[1]!.height);
  expect(Math.abs(gap1 - gap2)).toBeLessThan(3);
});
