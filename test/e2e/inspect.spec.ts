/**
 * Seeing inside the network, as a person does it: train, pick a sample (an e-mail by its row, a
 * digit drawn by hand), and read on the canvas and in the inspector what each layer computed for
 * it: the attention of each head over the e-mail's words, the CNN's feature maps.
 */
import type { Page } from '@playwright/test';
import { expect, field, setParam, setUp, test } from './fixtures';

async function train(page: Page, epochs: string) {
  await field(page, 'epochs', epochs);
  await page.getByTestId('train-start').click();
  await expect(page.getByTestId('train-status')).toHaveText('done', { timeout: 120_000 });
}

test('Transformer on SpamAssassin: pick an e-mail, see which words each head attends to', async ({
  app: page,
}) => {
  test.setTimeout(180_000);
  await setUp(page, 'transformer', 'spamassassin');
  await train(page, '1');

  // Before a sample is picked, the picker says what it is for; then row 4,900 (a validation e-mail).
  const picker = page.getByTestId('probe-sample');
  await expect(picker).toContainText('Pick a row');
  await page.getByTestId('probe-index').fill('4900');
  await page.getByTestId('probe-index').press('Enter');
  await expect(page.getByTestId('probe-status')).toContainText(
    /Row 4900 \(validation\), class (ham|spam) → predicted (ham|spam)/,
  );
  await page.getByTestId('probe-show-canvas').click();

  // Every node shows its view; the encoder blocks their attention maps.
  for (const id of ['input_1', 'positionalembedding_1', 'globalavgpool1d_1', 'dense_1', 'output_1'])
    await expect(page.getByTestId(`probe-view-${id}`)).toBeVisible();
  await expect(page.getByTestId('attention-map-transformerencoderblock_1')).toBeVisible();
  await expect(page.getByTestId('probe-view-output_1')).toContainText('ham');

  // The inspector: the large map, a head selector and the e-mail's words shaded by attention.
  await page.getByTestId('node-transformerencoderblock_1').click();
  await expect(page.getByTestId('attention-map-large-transformerencoderblock_1')).toBeVisible();
  const words = page.getByTestId('attention-words-transformerencoderblock_1');
  expect(await words.locator('button').count()).toBeGreaterThan(5);
  const top = page.getByTestId('attention-top-transformerencoderblock_1');
  await words.locator('button').nth(2).click();
  const head1 = await top.textContent();
  await page.getByTestId('attention-head-2').click();
  await expect(top).not.toHaveText(head1 ?? '');
  await expect(top).toContainText('attends most to:');
  await page.screenshot({ path: 'test-results/e2e/inspect-attention.png' });

  // What the embedding learned: its word vectors on a plane, the words written beside them.
  await page.getByTestId('node-positionalembedding_1').click();
  const map = page.getByTestId('embedding-pca-positionalembedding_1');
  await expect(map).toBeVisible();
  await expect(page.getByTestId('weights-positionalembedding_1')).toContainText('most frequent of');
  await expect(page.getByTestId('weight-histogram-positionalembedding_1')).toBeVisible();
  await map.scrollIntoViewIfNeeded();
  await page.screenshot({ path: 'test-results/e2e/inspect-embedding.png' });
});

test('CNN on MNIST: draw a digit and see the feature maps of every layer', async ({ app: page }) => {
  test.setTimeout(180_000);
  await page.setViewportSize({ width: 1920, height: 1080 });
  await setUp(page, 'cnn', 'mnist');
  // A long epoch: the Layers panel shows its figures a quarter epoch at a time while it runs.
  await field(page, 'epochs', '1');
  await page.getByTestId('train-start').click();
  await expect(page.getByTestId('layers-epoch')).toContainText(/Epoch 1, batch \d+ of \d+ \(so far\)/, {
    timeout: 60_000,
  });
  await expect(page.getByTestId('train-status')).toHaveText('done', { timeout: 120_000 });
  await expect(page.getByTestId('layers-epoch')).toContainText('Epoch 1:');

  // Draw a "1": a vertical stroke down the middle of the box.
  await page.getByTestId('predict-canvas').scrollIntoViewIfNeeded();
  const b = (await page.getByTestId('predict-canvas').boundingBox())!;
  await page.mouse.move(b.x + b.width * 0.5, b.y + b.height * 0.15);
  await page.mouse.down();
  for (let i = 1; i <= 10; i++)
    await page.mouse.move(b.x + b.width * 0.5, b.y + b.height * (0.15 + i * 0.07));
  await page.mouse.up();
  await page.getByTestId('predict-run').click();
  await expect(page.getByTestId('predict-result')).toContainText('%');
  await expect(page.getByTestId('probe-status')).toContainText('Your input → predicted');

  await page.getByTestId('view-design').click();
  const maps = page.getByTestId('feature-maps-conv2d_1');
  await expect(maps).toBeVisible();
  expect(Number(await maps.getAttribute('data-maps'))).toBeGreaterThan(1);
  await expect(page.getByTestId('probe-view-output_1')).toContainText('%');
  await page.getByTestId('node-conv2d_1').click();
  await expect(page.getByTestId('feature-maps-large-conv2d_1')).toBeVisible();
  await page.screenshot({ path: 'test-results/e2e/inspect-cnn.png' });
  // Its learned filters as images (first layer, one input channel), a heatmap and histogram per tensor.
  const filters = page.getByTestId('conv-filters-conv2d_1');
  await filters.scrollIntoViewIfNeeded();
  await expect(filters).toBeVisible();
  await expect(page.getByTestId('weights-conv2d_1')).toContainText(/\d+ of \d+ filters, \d×\d/);
  await expect(page.getByTestId('weight-histogram-conv2d_1')).toContainText('values');
  await expect(page.getByTestId('weight-heatmap-conv2d_1-1')).toBeVisible();
  await page.screenshot({ path: 'test-results/e2e/inspect-cnn-filters.png' });
});

test('MLP on spirals: every hidden unit shows its heatmap over the plane, live while it trains', async ({
  app: page,
}) => {
  test.setTimeout(180_000);
  await page.setViewportSize({ width: 1280, height: 720 });
  await setUp(page, 'mlp', 'spirals');
  await field(page, 'epochs', '250');
  await field(page, 'learningRate', '0.003');
  await page.getByTestId('train-start').click();
  await expect(page.getByTestId('train-status')).toHaveText('running');
  await page.getByTestId('view-design').click();

  // While it trains (long enough that a loaded machine still sees it running; the looks poll): a heatmap per unit (the first 16 of 128), and they change from look to look.
  const unit = page.getByTestId('unit-heatmap-dense_1-0');
  await expect(unit).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId('unit-heatmap-dense_1-15')).toBeVisible();
  await expect(page.getByTestId('unit-heatmap-dense_2-3')).toBeVisible();
  await expect(page.getByTestId('unit-maps-dense_1')).toContainText('16 of 128 units');
  const deep = page.getByTestId('unit-maps-dense_2');
  const shot1 = await deep.screenshot();
  await expect.poll(async () => (await deep.screenshot()).equals(shot1), { timeout: 20_000 }).toBe(false);
  await page.screenshot({ path: 'test-results/e2e/inspect-units-running.png' });

  // A sample picked while it trains: every node's view follows the weights live.
  await page.getByTestId('probe-next').click();
  await expect(page.getByTestId('probe-status')).toContainText(/Row 0 .*· live/);
  const view = page.getByTestId('probe-view-dense_2');
  await expect(view).toBeVisible();
  const live1 = await view.screenshot();
  await expect.poll(async () => (await view.screenshot()).equals(live1), { timeout: 20_000 }).toBe(false);

  await page.getByTestId('view-train').click();
  await expect(page.getByTestId('train-status')).toHaveText('done', { timeout: 150_000 });
  await page.getByTestId('view-design').click();
  await expect(page.getByTestId('unit-heatmap-dense_3-0')).toBeVisible();
  // After the run: the views stay, with the run's final weights, and follow the next row.
  await expect(page.getByTestId('probe-status')).not.toContainText('live');
  await page.getByTestId('probe-next').click();
  await expect(page.getByTestId('probe-status')).toContainText('Row 1');
  await expect(page.getByTestId('probe-view-dense_1')).toBeVisible();
  await page.screenshot({ path: 'test-results/e2e/inspect-units-done.png' });
  // The Train view's picker says the same at 1280×720.
  await page.getByTestId('view-train').click();
  await expect(page.getByTestId('probe-status')).toContainText('Row 1');
  await page.getByTestId('probe-sample').scrollIntoViewIfNeeded();
  await page.screenshot({ path: 'test-results/e2e/inspect-train-view.png' });
});

test('LSTM on SpamAssassin: the hidden state over the words and each gate over time', async ({
  app: page,
}) => {
  test.setTimeout(180_000);
  await page.setViewportSize({ width: 1440, height: 900 });
  await setUp(page, 'lstm', 'spamassassin');
  await train(page, '1');
  // An e-mail typed by hand: classified, its unknown words named, and probed on the canvas.
  const box = page.getByTestId('predict-text');
  await box.scrollIntoViewIfNeeded();
  await box.fill('Dear friend, claim your FREE prize now: click here, zorblatt offer expires today!');
  await page.getByTestId('predict-run').click();
  await expect(page.getByTestId('predict-result')).toContainText('%');
  await expect(page.getByTestId('predict-unknown')).toContainText('zorblatt');
  await expect(page.getByTestId('probe-status')).toContainText('Your input');
  // Misclassified e-mails read as words, not token ids.
  const wrong = page.getByTestId('misclassified-list');
  await wrong.scrollIntoViewIfNeeded();
  if (Number(await wrong.getAttribute('data-count')) > 0)
    await expect(wrong.locator('.mis-words').first()).toHaveText(/[a-z]+ [a-z]+/);
  await page.screenshot({ path: 'test-results/e2e/inspect-lstm-text.png' });
  await page.getByTestId('probe-index').fill('4900');
  await page.getByTestId('probe-index').press('Enter');
  await expect(page.getByTestId('probe-status')).toContainText('Row 4900');
  await page.getByTestId('probe-sample').scrollIntoViewIfNeeded();
  await page.getByTestId('probe-show-canvas').click();
  await expect(page.getByTestId('hidden-states-lstm_1')).toBeVisible();
  await page.getByTestId('node-lstm_1').click();
  const gates = page.getByTestId('gates-lstm_1');
  await gates.scrollIntoViewIfNeeded();
  for (const g of ['input', 'forget', 'output'])
    await expect(page.getByTestId(`gate-lstm_1-${g}`)).toBeVisible();
  await expect(page.getByTestId('inspector-probe')).toContainText('passes on only the last row');
  await page.screenshot({ path: 'test-results/e2e/inspect-lstm-gates.png' });
});

test('a small MLP on spirals: its Dense layers drawn as their weights on the edges', async ({
  app: page,
}) => {
  test.setTimeout(180_000);
  await page.setViewportSize({ width: 1280, height: 720 });
  await setUp(page, 'mlp', 'spirals');
  await page.getByTestId('view-design').click();
  for (const id of ['dense_1', 'dense_2']) await setParam(page, id, 'units', '8');
  await page.getByTestId('view-train').click();
  await field(page, 'learningRate', '0.03');
  await train(page, '20');
  await page.getByTestId('view-design').click();
  const toggle = page.getByTestId('edge-weights-toggle');
  await expect(toggle).toBeVisible();
  await toggle.check();
  // Three Dense layers of at most 8 × 8: each input edge carries its weight matrix.
  await expect(page.locator('g[data-testid^="edge-weights-"]')).toHaveCount(3);
  const lines = await page.locator('g[data-testid^="edge-weights-"] path').count();
  expect(lines).toBeGreaterThan(3);
  await page.getByTestId('cmd-fit').click();
  await page.screenshot({ path: 'test-results/e2e/inspect-edge-weights.png' });
  await toggle.uncheck();
  await expect(page.locator('g[data-testid^="edge-weights-"]')).toHaveCount(0);
});
