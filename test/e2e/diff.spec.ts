/**
 * The diff view as a person uses it: a CNN compared with an MLP project in the served folder
 * (Ctrl+K ▸ Compare with a project…) outlines the layers the CNN adds and the Dense layers it
 * changes, lists what changed, and the parameter counts; after a save, the comparison with the last
 * saved version follows an edit.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { expect, field, setParam, setUp, test } from './fixtures';

test('compare a CNN with an MLP project, then with its own saved version', async ({ page, served }) => {
  execFileSync(process.execPath, [
    'bin/netloom.js',
    'new',
    '--template',
    'mlp',
    '--out',
    path.join(served.root, 'mlp.nnproj'),
    '--force',
  ]);
  await page.setViewportSize({ width: 1280, height: 720 });
  await page.goto(served.url);
  await page.getByTestId('template-cnn').click();
  await expect(page.getByTestId('node-conv2d_1')).toBeVisible();

  await page.keyboard.press('Control+k');
  await expect(page.getByTestId('cmd-palette')).toBeVisible();
  await page.keyboard.type('compare with a project');
  await page.getByTestId('cmdk-cmd-compare').click();
  await page.getByTestId('fb-entry-mlp.nnproj').click();

  const view = page.getByTestId('diff-view');
  await expect(view).toBeVisible();
  await expect(view).toContainText('mlp.nnproj');
  // Each line of the list brings its node into view (the canvas shows a deep graph from its top).
  const outlined = async (id: string, state: 'added' | 'changed') => {
    await page.getByTestId(`diff-${state}-${id}`).getByRole('button').click();
    await expect(page.getByTestId(`node-${id}`)).toBeInViewport();
    await expect(page.getByTestId(`node-${id}`)).toHaveAttribute('data-diff', state);
  };
  for (const id of ['conv2d_1', 'maxpool2d_1', 'conv2d_2', 'maxpool2d_2', 'flatten_1'])
    await outlined(id, 'added');
  for (const id of ['input_1', 'dense_1', 'dense_2']) await outlined(id, 'changed');
  await expect(page.getByTestId('node-dense_3')).not.toHaveAttribute('data-diff', /.*/);
  await expect(page.getByTestId('diff-view')).not.toContainText('output_1');
  await expect(page.getByTestId('diff-changed-dense_1')).toContainText('units: 128 → 120');
  await expect(page.getByTestId('diff-params')).toContainText('118,282 → 61,706');
  await expect(page.getByTestId('diff-params')).toContainText('−56,576');
  await page.screenshot({ path: 'test-results/e2e/diff-cnn-vs-mlp.png' });

  // Saved, then edited: the comparison with the saved version shows the one change.
  await page.getByTestId('diff-close').click();
  await expect(view).toBeHidden();
  await page.keyboard.press('Control+Shift+s');
  await page.getByTestId('fb-filename').fill('cnn.nnproj');
  await page.getByTestId('fb-save').click();
  await expect(page.getByTestId('file-browser')).toBeHidden();
  await page.keyboard.press('Control+k');
  await page.keyboard.type('last saved');
  await page.getByTestId('cmdk-cmd-compareSaved').click();
  await expect(view).toContainText('The same network');
  await page.getByTestId('tab-summary').click();
  await page.getByTestId('summary').getByText('dense_2').click();
  await page.getByTestId('tab-inspector').click();
  const units = page.getByTestId('param-units');
  await units.fill('64');
  await units.press('Enter');
  await expect(page.getByTestId('diff-changed-dense_2')).toContainText('units: 84 → 64');
  await outlined('dense_2', 'changed');
  await page.screenshot({ path: 'test-results/e2e/diff-saved.png' });
});

test('compare the open graph with the graph an earlier run trained', async ({ app: page }) => {
  await page.setViewportSize({ width: 1280, height: 720 });
  await setUp(page, 'mlp', 'spirals');
  await field(page, 'epochs', '3');
  await page.getByTestId('train-start').click();
  await expect(page.getByTestId('train-status')).toHaveText('done', { timeout: 60_000 });
  // An edit after the run: dense_1 gets 32 units.
  await page.getByTestId('view-design').click();
  await setParam(page, 'dense_1', 'units', '32');
  await page.getByTestId('view-train').click();
  await page.locator('[data-testid^="run-compare-"]').first().click();
  const view = page.getByTestId('diff-view');
  await expect(view).toBeVisible();
  await expect(view).toContainText('the run of');
  await expect(page.getByTestId('diff-changed-dense_1')).toContainText('units: 128 → 32');
  await expect(page.getByTestId('node-dense_1')).toHaveAttribute('data-diff', 'changed');
  await expect(page.getByTestId('node-dense_2')).not.toHaveAttribute('data-diff', /.*/);
});
