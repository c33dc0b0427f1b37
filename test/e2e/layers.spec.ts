/**
 * Layer statistics while training, as a person uses them: an MLP trains on spirals; every layer
 * node grows a sparkline; the Layers panel lists each layer's figures with the selected layer's
 * weight and gradient histograms; the checkpoint scrubber takes the probe views and the decision
 * boundary back to epoch 1 and forward again; a saved and reopened project shows the statistics.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { readProjectFile } from '../../shared/ir/project';
import { expect, field, ready, setUp, test } from './fixtures';

test('MLP on spirals: layer statistics on the nodes and in the Layers panel, scrubbed back and reopened', async ({
  app: page,
  served,
}) => {
  test.setTimeout(180_000);
  await page.setViewportSize({ width: 1280, height: 720 });
  await setUp(page, 'mlp', 'spirals');
  await field(page, 'epochs', '12');
  await field(page, 'learningRate', '0.01');
  await page.getByTestId('train-start').click();
  await expect(page.getByTestId('train-status')).toHaveText('done', { timeout: 150_000 });

  // The Layers panel: one row per layer with weights or outputs, the figures of the last epoch.
  const panel = page.getByTestId('layers-panel');
  await panel.scrollIntoViewIfNeeded();
  await expect(panel).toBeVisible();
  for (const id of ['dense_1', 'dense_2', 'dense_3', 'activation_1'])
    await expect(page.getByTestId(`layers-row-${id}`)).toBeVisible();
  await page.getByTestId('layers-row-dense_2').click();
  const hist = page.getByTestId('layers-weight-histogram-dense_2');
  await expect(hist).toBeVisible();
  // 128×128 weights + 128 biases, all counted.
  await expect(hist).toContainText('16,512 values');
  await expect(page.getByTestId('layers-grad-histogram-dense_2')).toBeVisible();
  await hist.scrollIntoViewIfNeeded();
  await page.screenshot({ path: 'test-results/e2e/layers-panel-1280.png' });

  // Pick a point on the decision boundary: that row is probed (and ringed).
  const plot = page.getByTestId('decision-boundary');
  await plot.scrollIntoViewIfNeeded();
  const box = (await plot.boundingBox())!;
  for (const [fx, fy] of [
    [0.5, 0.5],
    [0.45, 0.5],
    [0.55, 0.5],
    [0.5, 0.45],
    [0.5, 0.55],
    [0.4, 0.4],
    [0.6, 0.6],
  ] as const) {
    await page.mouse.click(box.x + box.width * fx, box.y + box.height * fy);
    if (/Row \d+/.test((await page.getByTestId('probe-status').textContent()) ?? '')) break;
  }
  await expect(page.getByTestId('probe-status')).toContainText(
    /Row \d+ \((training|validation)\), class arm/,
  );
  await expect(page.getByTestId('probe-index')).not.toHaveValue('');

  // Probe a row, then scrub back to epoch 1: the probe's numbers and the boundary change, and come back.
  await page.getByTestId('probe-index').fill('0');
  await page.getByTestId('probe-index').press('Enter');
  await expect(page.getByTestId('probe-status')).toContainText('Row 0');
  const scrubber = page.getByTestId('checkpoint-scrubber');
  await scrubber.scrollIntoViewIfNeeded();
  await expect(page.getByTestId('checkpoint-epoch')).toHaveText('12 / 12');
  await expect(page.getByTestId('checkpoint-status')).toContainText('12 snapshots');
  const boundary = page.getByTestId('decision-boundary');
  const answerNow = await page.getByTestId('probe-status').textContent();
  const boundaryNow = await boundary.screenshot();
  await page.getByTestId('checkpoint-range').fill('0');
  await expect(page.getByTestId('checkpoint-epoch')).toHaveText('1 / 12');
  await expect(page.getByTestId('checkpoint-status')).toContainText('show epoch 1');
  await expect.poll(() => page.getByTestId('probe-status').textContent()).not.toBe(answerNow);
  await expect.poll(async () => (await boundary.screenshot()).equals(boundaryNow)).toBe(false);
  await page.screenshot({ path: 'test-results/e2e/layers-scrubbed-1280.png' });
  await page.getByTestId('checkpoint-now').click();
  await expect.poll(() => page.getByTestId('probe-status').textContent()).toBe(answerNow);

  // On the canvas: a sparkline on each layer node.
  await page.setViewportSize({ width: 1920, height: 1080 });
  await page.getByTestId('view-design').click();
  await expect(page.getByTestId('layer-stats-dense_1')).toBeVisible();
  await expect(page.getByTestId('layer-stats-dense_1')).toContainText('‖g‖');
  await expect(page.getByTestId('layer-stats-activation_1')).toContainText('σ');
  // The inspector: the selected layer's weights, as a heatmap and a histogram per tensor.
  await page.getByTestId('node-dense_2').click();
  await expect(page.getByTestId('weight-heatmap-dense_2-0')).toBeVisible();
  await expect(page.getByTestId('weight-histogram-dense_2')).toContainText('16,384 values');
  await expect(page.getByTestId('weight-histogram-dense_2-1')).toContainText('128 values');
  await page.screenshot({ path: 'test-results/e2e/layers-nodes-1920.png' });
  await page.getByTestId('view-train').click();
  await page.getByTestId('layers-panel').scrollIntoViewIfNeeded();
  await expect(page.getByTestId('checkpoint-scrubber')).toBeVisible();
  await page.screenshot({ path: 'test-results/e2e/layers-panel-1920.png' });
  await page.getByTestId('view-design').click();

  // Saved with the run: a reopened project shows them again (the snapshots are not saved).
  await page.getByTestId('cmd-save').click();
  await page.getByTestId('fb-filename').fill('stats.nnproj');
  await page.getByTestId('fb-save').click();
  await expect(page.getByTestId('notice')).toContainText('Saved');
  const saved = readProjectFile(readFileSync(path.join(served.root, 'stats.nnproj')));
  const history = [...saved.runs!.values()][0]!.trim().split('\n');
  expect(history).toHaveLength(12);
  expect((JSON.parse(history[11]!) as { layers: unknown[] }).layers).toHaveLength(4);
  await page.reload();
  await ready(page);
  await page.getByTestId('cmd-open').click();
  await page.getByTestId('fb-entry-stats.nnproj').click();
  await page.getByTestId('view-train').click();
  await expect(page.getByTestId('layers-row-dense_1')).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId('checkpoint-scrubber')).toHaveCount(0);
  await page.getByTestId('view-design').click();
  await expect(page.getByTestId('layer-stats-dense_1')).toBeVisible();
});
