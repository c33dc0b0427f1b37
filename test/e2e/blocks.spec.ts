/**
 * Blocks as a person uses them: an MLP on MNIST gets a residual connection (an Add dropped on an
 * edge, a skip wired by hand); the Dense and the Add are grouped into a block (Ctrl+G), repeated ×3,
 * opened (breadcrumbs back), trained, exported to PyTorch (one class for the block), saved and
 * reopened; Ungroup gives the plain layers back with the same parameter count.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from './fixtures';
import { ready, wire } from './fixtures';

test('group a residual block, repeat it ×3, open it, train it, export it, save and reopen', async ({
  page,
  served,
}) => {
  test.setTimeout(240_000);
  await page.setViewportSize({ width: 1280, height: 720 });
  await page.goto(served.url);
  await page.getByTestId('template-mlp-mnist').click();
  await expect(page.getByTestId('data-summary')).toBeVisible({ timeout: 60_000 });
  await page.getByTestId('view-design').click();
  await expect(page.getByTestId('node-dense_2')).toBeVisible();

  // A residual connection: an Add dropped on the edge dense_2 → dense_3, then dense_1 wired to its in2.
  const edge = page.locator('.react-flow__edge[data-id]').filter({ has: page.locator('path') });
  await expect(edge.first()).toBeAttached();
  const a = (await page.getByTestId('node-dense_2').boundingBox())!;
  const b = (await page.getByTestId('node-dense_3').boundingBox())!;
  await page.getByTestId('palette-item-Add').dragTo(page.getByTestId('canvas'), {
    targetPosition: await (async () => {
      const c = (await page.getByTestId('canvas').boundingBox())!;
      return { x: (a.x + b.x) / 2 + a.width / 2 - c.x, y: (a.y + a.height + b.y) / 2 - c.y };
    })(),
  });
  await expect(page.getByTestId('node-add_1')).toBeVisible();
  await wire(page, 'dense_1', 'add_1', 'in2');
  await expect(page.getByTestId('node-error-add_1')).toHaveCount(0);
  const params = await page.getByTestId('total-params').textContent();

  // Group the Dense and the Add: one Block node, the same model.
  await page.getByTestId('node-dense_2').click();
  await page.getByTestId('node-add_1').click({ modifiers: ['Control'] });
  await page.keyboard.press('Control+g');
  const block = page.getByTestId('block-block_1');
  await expect(block).toBeVisible();
  await expect(block).toHaveAttribute('data-kind', 'Block');
  await expect(page.getByTestId('node-dense_2')).toHaveCount(0);
  await expect(page.getByTestId('total-params')).toHaveText(params!);
  await expect(page.getByTestId('node-shape-block_1')).toHaveText('[batch, 128]');
  await expect(page.getByTestId('block-library')).toContainText('Block 1');

  // Repeated ×3: three copies chained, each with its own weights.
  await page.getByTestId('block-repeat').fill('3');
  await page.getByTestId('block-repeat').press('Enter');
  await expect(block).toContainText('×3');
  await expect(page.getByTestId('node-params-block_1')).toHaveText(
    `${(3 * (128 * 128 + 128)).toLocaleString('en-US')} params`,
  );
  await page.screenshot({ path: 'test-results/e2e/blocks-grouped.png' });

  // Saved to the user's library (across projects).
  await page.getByTestId('block-save-library').click();
  await expect(page.getByTestId('user-library')).toContainText('Block 1');

  // Open it: its layers with their shapes, breadcrumbs back to the graph.
  await block.dblclick();
  await expect(page.getByTestId('breadcrumbs')).toBeVisible();
  await expect(page.getByTestId('breadcrumb-block')).toHaveText('Block 1');
  await expect(page.getByTestId('node-dense_2')).toBeVisible();
  await expect(page.getByTestId('node-shape-dense_2')).toHaveText('[batch, 128]');
  await page.screenshot({ path: 'test-results/e2e/blocks-open.png' });
  await page.getByTestId('breadcrumb-root').click();
  await expect(page.getByTestId('breadcrumbs')).toHaveCount(0);
  await expect(block).toBeVisible();

  // Trained (one epoch is enough to have weights to export).
  await page.getByTestId('view-train').click();
  await page.getByTestId('train-epochs').fill('1');
  await page.getByTestId('train-epochs').press('Tab');
  await page.getByTestId('train-start').click();
  await expect(page.getByTestId('train-status')).toHaveText('done', { timeout: 180_000 });
  await page.getByTestId('view-design').click();

  // Saved: the summary sees through the block; reopened, the block is there.
  await page.keyboard.press('Control+Shift+s');
  await page.getByTestId('fb-filename').fill('resnet.nnproj');
  await page.getByTestId('fb-save').click();
  await expect(page.getByTestId('file-browser')).toBeHidden();
  const file = path.join(served.root, 'resnet.nnproj');
  await expect(page.getByTestId('notice')).toContainText('Saved resnet.nnproj', { timeout: 20_000 });
  expect(existsSync(file)).toBe(true);
  const summary = JSON.parse(
    execFileSync(process.execPath, ['bin/netloom.js', 'summary', file, '--json'], { encoding: 'utf8' }),
  ) as {
    totalParams: number;
    blocks: { id: string; definition: string; params: number }[];
    layers: { id: string }[];
  };
  expect(summary.blocks).toEqual([
    { id: 'block_1', definition: 'block_1', repeat: 3, params: 3 * (128 * 128 + 128) },
  ]);
  expect(summary.layers.map((l) => l.id)).toContain('block_1__3__add_1');

  // Exported to PyTorch: one class for the block's definition.
  await page.getByTestId('cmd-export').click();
  await page.getByTestId('export-format-pytorch').check();
  await page.getByTestId('export-name').fill('blocks-torch');
  await page.getByTestId('export-run').click();
  // It writes the dataset too (MNIST: 31 MB): allow for a busy machine.
  await expect(page.getByTestId('notice')).toContainText('Exported pytorch to blocks-torch', {
    timeout: 90_000,
  });
  const model = readFileSync(path.join(served.root, 'blocks-torch', 'model.py'), 'utf8');
  expect(model.match(/^class \w+\(nn\.Module\)/gm)).toHaveLength(2);
  // …and it predicts what Netloom predicts (a validation digit, where torch is installed).
  if (spawnSync('/usr/bin/python3', ['-c', 'import torch']).status === 0) {
    const inspected = JSON.parse(
      execFileSync(process.execPath, ['bin/netloom.js', 'inspect', file, '--sample', '3', '--json'], {
        encoding: 'utf8',
        maxBuffer: 64 * 1024 * 1024,
      }),
    ) as { input: unknown; inputShape: number[]; nodes: { id: string; values: unknown }[] };
    const ours = (inspected.nodes.find((n) => n.id === 'output_1')!.values as number[]).flat();
    const script = [
      'import json, sys, torch',
      'from model import build_model, load_weights',
      'm = load_weights(build_model(), "weights.pt").eval()',
      'x = torch.tensor(json.load(sys.stdin), dtype=torch.float32).reshape(1, *json.loads(sys.argv[1]))',
      'with torch.no_grad(): print(json.dumps(m(x).flatten().tolist()))',
    ].join('\n');
    const torchOut = JSON.parse(
      execFileSync('/usr/bin/python3', ['-c', script, JSON.stringify(inspected.inputShape)], {
        cwd: path.join(served.root, 'blocks-torch'),
        input: JSON.stringify((inspected.input as number[]).flat(3)),
        encoding: 'utf8',
      }),
    ) as number[];
    expect(torchOut).toHaveLength(10);
    const diff = Math.max(...torchOut.map((v, i) => Math.abs(v - ours[i]!)));
    expect(diff).toBeLessThan(1e-4);
  }

  // …and to ONNX, from the same dialog.
  await page.getByTestId('cmd-export').click();
  await page.getByTestId('export-format-onnx').check();
  await page.getByTestId('export-name').fill('blocks-onnx');
  await page.getByTestId('export-run').click();
  await expect(page.getByTestId('notice')).toContainText('Exported onnx to blocks-onnx', { timeout: 60_000 });
  expect(existsSync(path.join(served.root, 'blocks-onnx', 'model.onnx'))).toBe(true);

  await page.reload();
  await ready(page);
  await page.getByTestId('cmd-open').click();
  await page.getByTestId('fb-entry-resnet.nnproj').click();
  await expect(page.getByTestId('block-block_1')).toBeVisible();
  await expect(page.getByTestId('block-block_1')).toContainText('×3');

  // Ungroup: plain layers, the same parameters.
  const total = await page.getByTestId('total-params').textContent();
  await page.getByTestId('block-block_1').click();
  await page.keyboard.press('Control+Shift+g');
  await expect(page.getByTestId('block-block_1')).toHaveCount(0);
  await expect(page.getByTestId('node-add_1')).toBeVisible();
  await expect(page.getByTestId('total-params')).toHaveText(total!);
  // From the user's library: copied into the project as a new definition, used once more.
  await page.getByTestId('user-block-block-1').dblclick();
  await expect(page.locator('[data-kind="Block"]')).toHaveCount(1);
  await expect(page.getByTestId('block-library')).toContainText('Block 1');
  await page.setViewportSize({ width: 1920, height: 1080 });
  await page.screenshot({ path: 'test-results/e2e/blocks-ungrouped-1920.png' });
});

test('a block inside a block: grouped inside the open ResNet block, opened, and back by the breadcrumbs', async ({
  app: page,
}) => {
  await page.setViewportSize({ width: 1280, height: 720 });
  await page.getByTestId('cmd-new').click();
  await page.getByTestId('template-resnet').click();
  const residual = page.getByTestId('block-block_1');
  await expect(residual).toContainText('×3');
  const total = await page.getByTestId('total-params').textContent();
  const viewport = page.locator('.react-flow__viewport');
  // A view of the person's own (zoomed in), which a fit would not give back.
  await page.getByTestId('cmd-fit').click();
  const fitted = await viewport.getAttribute('style');
  await page.keyboard.press('Control+=');
  await expect.poll(() => viewport.getAttribute('style')).not.toBe(fitted);
  await page.waitForTimeout(500); // the zoom's animation
  const outer = await viewport.getAttribute('style');
  await residual.dblclick();
  await expect(page.getByTestId('breadcrumb-block')).toHaveText('Residual');
  await expect(page.getByTestId('node-shape-conv2d_2')).toHaveText('[batch, 14, 14, 16]');
  // The two convolutions become a block of their own, inside Residual.
  await page.getByTestId('node-conv2d_2').click();
  await page.getByTestId('node-conv2d_3').click({ modifiers: ['Control'] });
  await page.keyboard.press('Control+g');
  const inner = page.locator('[data-kind="Block"]');
  await expect(inner).toHaveCount(1);
  await expect(inner).toContainText('Block 2');
  await expect(page.getByTestId('total-params')).toHaveText(total!);
  await inner.dblclick();
  await expect(page.getByTestId('breadcrumb-block')).toHaveText('Block 2');
  await expect(page.getByTestId('node-shape-conv2d_3')).toHaveText('[batch, 14, 14, 16]');
  await page.screenshot({ path: 'test-results/e2e/blocks-nested.png' });
  // Back one level, then to the graph.
  await page.getByTestId('breadcrumb-block_1').click();
  await expect(page.getByTestId('breadcrumb-block')).toHaveText('Residual');
  await page.getByTestId('breadcrumb-root').click();
  await expect(page.getByTestId('breadcrumbs')).toHaveCount(0);
  await expect(residual).toBeVisible();
  // The graph's own view comes back as it was left.
  await expect.poll(() => viewport.getAttribute('style')).toBe(outer);
  await expect(page.getByTestId('total-params')).toHaveText(total!);
  await expect(page.getByTestId('block-library')).toContainText('Block 2');
});
