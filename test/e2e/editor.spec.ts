import { copyFileSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { dropLayer, expect, ready, setParam, test, wire } from './fixtures';

/** What a person sees of the graph: nodes (kind, shape, params, position) and edge labels. */
async function snapshot(page: Page) {
  return page.evaluate(() => {
    const nodes = [...document.querySelectorAll<HTMLElement>('.react-flow__node')].map((el) => {
      const inner = el.querySelector<HTMLElement>('[data-kind]')!;
      const id = el.dataset.id!;
      return {
        id,
        kind: inner.dataset.kind,
        shape: document.querySelector(`[data-testid="node-shape-${id}"]`)?.textContent,
        params: document.querySelector(`[data-testid="node-params-${id}"]`)?.textContent,
        transform: el.style.transform,
      };
    });
    nodes.sort((a, b) => a.id.localeCompare(b.id));
    const edges = [...document.querySelectorAll('[data-testid^="edge-shape-"]')]
      .map((e) => e.textContent)
      .sort();
    return { nodes, edges, total: document.querySelector('[data-testid="total-params"]')?.textContent };
  });
}

async function positions(page: Page) {
  return page.evaluate(() =>
    [...document.querySelectorAll<HTMLElement>('.react-flow__node')]
      .map((el) => {
        const m = /translate\(([-\d.]+)px, ([-\d.]+)px\)/.exec(el.style.transform)!;
        return { id: el.dataset.id!, x: Number(m[1]), y: Number(m[2]) };
      })
      .sort((a, b) => a.id.localeCompare(b.id)),
  );
}

test('build an MLP from an empty canvas by dragging, undo/redo, save, reload and reopen', async ({
  app: page,
}) => {
  // Left column: Input, Dense, Dense; right column: Dense, Activation, Output.
  await dropLayer(page, 'Input', 150, 60);
  await dropLayer(page, 'Dense', 150, 230);
  await dropLayer(page, 'Dense', 150, 400);
  await dropLayer(page, 'Dense', 480, 60);
  await dropLayer(page, 'Activation', 480, 230);
  await dropLayer(page, 'Output', 480, 400);
  for (const id of ['input_1', 'dense_1', 'dense_2', 'dense_3', 'activation_1', 'output_1'])
    await expect(page.getByTestId(`node-${id}`)).toBeVisible();

  await setParam(page, 'input_1', 'shape', '784');
  await setParam(page, 'dense_1', 'units', '128');
  await setParam(page, 'dense_1', 'activation', 'relu');
  await setParam(page, 'dense_2', 'units', '128');
  await setParam(page, 'dense_2', 'activation', 'relu');
  await setParam(page, 'dense_3', 'units', '10');
  await setParam(page, 'activation_1', 'fn', 'softmax');
  await setParam(page, 'output_1', 'targetShape', '10');

  await wire(page, 'input_1', 'dense_1');
  await wire(page, 'dense_1', 'dense_2');
  await wire(page, 'dense_2', 'dense_3');
  await wire(page, 'dense_3', 'activation_1');
  await wire(page, 'activation_1', 'output_1');

  await expect(page.getByTestId('total-params')).toHaveText('118,282');
  await expect(page.getByTestId('node-shape-dense_1')).toHaveText('[batch, 128]');
  await expect(page.getByTestId('node-params-dense_1')).toHaveText('100,480 params');
  await expect(page.locator('[data-testid^="edge-shape-"]')).toHaveCount(5);
  await expect(page.locator('[data-testid^="edge-shape-"]').filter({ hasText: '[batch, 784]' })).toHaveCount(
    1,
  );
  await expect(page.getByTestId('errors')).toContainText('No problems');
  await page.getByTestId('canvas').click({ position: { x: 400, y: 700 } }); // deselect
  await page.screenshot({ path: 'test-results/e2e/editor-mlp.png' });

  const before = await snapshot(page);
  await page.getByTestId('cmd-undo').click(); // the last wire
  await page.getByTestId('cmd-undo').click(); // the one before it
  await expect(page.locator('[data-testid^="edge-shape-"]')).toHaveCount(3);
  await expect(page.getByTestId('node-error-output_1')).toBeVisible(); // its input is unconnected again
  await page.getByTestId('cmd-redo').click();
  await page.getByTestId('cmd-redo').click();
  await expect(page.getByTestId('total-params')).toHaveText('118,282');
  expect(await snapshot(page)).toEqual(before);

  // Save through the in-app file browser.
  await page.getByTestId('cmd-save').click();
  await page.getByTestId('fb-filename').fill('mlp-e2e.nnproj');
  await page.getByTestId('fb-save').click();
  await expect(page.getByTestId('notice')).toContainText('Saved mlp-e2e.nnproj');
  await expect(page.getByTestId('doc-title')).toHaveText('mlp-e2e.nnproj');
  const saved = await positions(page);

  await page.reload();
  await ready(page);
  await expect(page.locator('.react-flow__node')).toHaveCount(0);
  await page.getByTestId('cmd-open').click();
  await page.getByTestId('fb-entry-mlp-e2e.nnproj').click();
  await expect(page.getByTestId('total-params')).toHaveText('118,282');
  expect(await snapshot(page)).toEqual(before);
  const reopened = await positions(page);
  expect(reopened.map((p) => p.id)).toEqual(saved.map((p) => p.id));
  reopened.forEach((p, i) => {
    expect(Math.abs(p.x - saved[i]!.x)).toBeLessThan(0.02);
    expect(Math.abs(p.y - saved[i]!.y)).toBeLessThan(0.02);
  });
});

test('a shape error shows on the node with its fix; one click inserts a Flatten', async ({ app: page }) => {
  await dropLayer(page, 'Input', 250, 60);
  await dropLayer(page, 'Dense', 250, 250);
  await dropLayer(page, 'Output', 250, 440);
  await setParam(page, 'input_1', 'shape', '28, 28, 1');
  await setParam(page, 'dense_1', 'units', '10');
  await setParam(page, 'dense_1', 'activation', 'softmax');
  await setParam(page, 'output_1', 'targetShape', '10');
  await wire(page, 'input_1', 'dense_1');
  await wire(page, 'dense_1', 'output_1');

  await expect(page.getByTestId('node-shape-dense_1')).toHaveText('[batch, 28, 28, 10]');
  const badge = page.getByTestId('node-error-output_1');
  await expect(badge).toBeVisible();
  await expect(badge).toHaveAttribute(
    'title',
    /The output is \[batch, 28, 28, 10\], the target is \[batch, 10\]/,
  );
  await expect(page.getByTestId('errors')).toContainText('the target is [batch, 10]');
  const fix = page.getByTestId('apply-fix');
  await expect(fix).toHaveText(/Insert a Flatten before dense_1/);
  await fix.click();

  await expect(page.getByTestId('node-flatten_1')).toBeVisible();
  await expect(page.getByTestId('node-shape-flatten_1')).toHaveText('[batch, 784]');
  await expect(page.getByTestId('node-shape-dense_1')).toHaveText('[batch, 10]');
  await expect(page.getByTestId('node-error-output_1')).toHaveCount(0);
  await expect(page.getByTestId('errors')).toContainText('No problems');
  await expect(page.getByTestId('total-params')).toHaveText('7,850');
});

test('a refused connection says why', async ({ app: page }) => {
  await dropLayer(page, 'Input', 250, 60);
  await dropLayer(page, 'Dense', 250, 250);
  await dropLayer(page, 'Dense', 250, 440);
  await wire(page, 'input_1', 'dense_1');
  await wire(page, 'dense_1', 'dense_2');
  await wire(page, 'dense_2', 'dense_1'); // a cycle, and the port is taken
  await expect(page.getByTestId('notice')).toContainText(/already connected|cycle/);
  await expect(page.locator('[data-testid^="edge-shape-"]')).toHaveCount(2);
});

test('every hostile fixture opens to an error dialog and the app keeps working', async ({
  app: page,
  served,
}) => {
  const dir = path.resolve('test/fixtures/hostile');
  const files = readdirSync(dir).filter((f) => !f.endsWith('.md'));
  expect(files.length).toBeGreaterThan(10);
  for (const f of files)
    copyFileSync(path.join(dir, f), path.join(served.root, `${f.replace(/\.nnproj$/, '')}.nnproj`));
  for (const f of files) {
    const name = `${f.replace(/\.nnproj$/, '')}.nnproj`;
    await page.getByTestId('cmd-open').click();
    await page.getByTestId(`fb-entry-${name}`).click();
    const dlg = page.getByTestId('error-dialog');
    await expect(dlg, name).toBeVisible();
    await expect(page.getByTestId('error-dialog-message')).not.toBeEmpty();
    await dlg.getByRole('button', { name: 'OK' }).click();
    await expect(dlg).toHaveCount(0);
  }
  // Still works: add a layer and see it.
  await dropLayer(page, 'Input', 250, 100);
  await expect(page.getByTestId('node-input_1')).toBeVisible();
  await expect(page.getByTestId('total-params')).toHaveText('0');
});

test('Export: a PyTorch package and an SVG diagram into the served folder', async ({ app: page, served }) => {
  await page.getByTestId('cmd-new').click();
  await page.getByTestId('template-cnn').click();
  await expect(page.getByTestId('node-conv2d_1')).toBeVisible();
  await page.getByTestId('cmd-export').click();
  await page.getByTestId('export-format-svg').check();
  await page.getByTestId('export-name').fill('diagram');
  await page.getByTestId('export-run').click();
  await expect(page.getByTestId('notice')).toContainText('Exported svg to diagram');
  const svgFile = readdirSync(path.join(served.root, 'diagram')).find((f) => f.endsWith('.svg'))!;
  const svg = readFileSync(path.join(served.root, 'diagram', svgFile), 'utf8');
  expect(svg).toContain('<svg');
  expect(svg).toContain('conv2d_1');
  await page.getByTestId('cmd-export').click();
  await page.getByTestId('export-format-pytorch').check();
  await page.getByTestId('export-name').fill('torch');
  await page.getByTestId('export-run').click();
  await expect(page.getByTestId('notice')).toContainText('Exported pytorch to torch');
  expect(readdirSync(path.join(served.root, 'torch'))).toEqual(
    expect.arrayContaining(['model.py', 'train.py', 'README.md']),
  );
  // Exporting again into the same, now non-empty folder is refused with the reason.
  await page.getByTestId('cmd-export').click();
  await page.getByTestId('export-name').fill('torch');
  await page.getByTestId('export-run').click();
  await expect(page.getByTestId('export-error')).toBeVisible();
});

test('copy in one project, paste into another (two windows), duplicate and delete with the keyboard', async ({
  app: page,
  context,
  served,
}) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await page.getByTestId('cmd-new').click();
  await page.getByTestId('template-mlp').click();
  await expect(page.getByTestId('node-dense_1')).toBeVisible();
  await page.getByTestId('node-dense_1').click();
  await page.getByTestId('node-dense_2').click({ modifiers: ['Control'] });
  await page.keyboard.press('Control+c');

  // A second project in a second window of the same app.
  const other = await context.newPage();
  await other.goto(served.url);
  await ready(other);
  await other.getByTestId('canvas').click({ position: { x: 300, y: 300 } });
  await other.keyboard.press('Control+v');
  await expect(other.locator('[data-kind="Dense"]')).toHaveCount(2);
  await expect(other.locator('[data-testid^="edge-shape-"]')).toHaveCount(0); // the edge between them needs shapes: no input yet
  // The pasted pair keeps its wiring: one edge between the two Dense layers.
  await expect(other.locator('.react-flow__edge')).toHaveCount(1);
  await other.keyboard.press('Control+d');
  await expect(other.locator('[data-kind="Dense"]')).toHaveCount(4);
  await other.keyboard.press('Delete');
  await expect(other.locator('[data-kind="Dense"]')).toHaveCount(2);
  await other.getByTestId('cmd-undo').click();
  await expect(other.locator('[data-kind="Dense"]')).toHaveCount(4);
  await other.close();
});

test('zoomed out, the graph draws as boxes and one edge path; zoomed back in, labels and ports return', async ({
  app: page,
}) => {
  await page.getByTestId('cmd-new').click();
  await page.getByTestId('template-cnn').click();
  await expect(page.getByTestId('node-conv2d_1')).toBeVisible();
  // The edges in view (Fit stops at a readable zoom, so a deep graph is not all in view), each with its shape.
  const inView = await page.locator('.react-flow__edge').count();
  expect(inView).toBeGreaterThan(3);
  await expect(page.locator('[data-testid^="edge-shape-"]')).toHaveCount(inView);
  const flow = page.locator('.react-flow');
  await expect(flow).not.toHaveClass(/\bfar\b/);
  // Zoom out with the wheel until the level of detail switches.
  const box = (await page.getByTestId('canvas').boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  for (let i = 0; i < 20 && !/\bfar\b/.test((await flow.getAttribute('class')) ?? ''); i++)
    await page.mouse.wheel(0, 300);
  await expect(flow).toHaveClass(/\bfar\b/);
  // Every node is still there (as a box), every edge is one segment of a single path.
  await expect(page.locator('.react-flow__node')).toHaveCount(await page.locator('[data-kind]').count());
  await expect(page.locator('.react-flow__edge')).toHaveCount(0);
  const d = await page.getByTestId('far-edges').locator('path').getAttribute('d');
  // The CNN is a chain: one edge fewer than nodes, every one in the path.
  const edges = (await page.locator('[data-kind]').count()) - 1;
  expect(d!.match(/M/g)).toHaveLength(edges);
  await expect(page.getByTestId('node-shape-conv2d_1')).toHaveCount(0);
  await expect(page.locator('.react-flow__minimap')).toHaveCount(0); // the canvas is the overview
  // Editing still works zoomed out: a drag moves the node, its edges follow, one undo step.
  const node = (await page.getByTestId('node-conv2d_1').boundingBox())!;
  await page.mouse.move(node.x + node.width / 2, node.y + node.height / 2);
  await page.mouse.down();
  for (let i = 1; i <= 5; i++)
    await page.mouse.move(node.x + node.width / 2 + i * 20, node.y + node.height / 2);
  await page.mouse.up();
  await expect(page.getByTestId('far-edges').locator('path')).not.toHaveAttribute('d', d!);
  await page.getByTestId('cmd-undo').click();
  await expect(page.getByTestId('far-edges').locator('path')).toHaveAttribute('d', d!);
  await page.getByTestId('cmd-fit').click();
  await expect(flow).not.toHaveClass(/\bfar\b/);
  // Fit stops at a readable zoom: the edges in view are drawn again, each with its shape label.
  const shown = await page.locator('.react-flow__edge').count();
  expect(shown).toBeGreaterThan(2);
  await expect(page.locator('[data-testid^="edge-shape-"]')).toHaveCount(shown);
  await expect(page.getByTestId('node-shape-conv2d_1')).toBeVisible();
  await expect(page.getByTestId('far-edges')).toHaveCount(0);
  await expect(page.locator('.react-flow__minimap')).toHaveCount(1);
});
