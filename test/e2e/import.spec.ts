/**
 * Models opened in the app: a TF.js layers model (model.json + weights.bin, saved by TF.js itself)
 * opened through the served folder's Open browser shows its layers, shapes and parameter count as a
 * new unsaved document that says where it came from, and saved with a name it is a real project that
 * reopens the same; the same two files dropped on the canvas open it too (an overlay says what can be
 * dropped while they are over the window); a model.json dropped without its weights.bin is refused
 * with that said, and the open document stays as it was.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { Page } from '@playwright/test';
import { expect, ready, test } from './fixtures';

interface SavedModel {
  json: string;
  bin: Uint8Array;
  params: number;
}

/** A small Sequential Dense model as TF.js saves it (model.json + one shard, weights.bin). */
async function tfjsModel(): Promise<SavedModel> {
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [4], units: 8, activation: 'relu', name: 'hidden' }),
      tf.layers.dense({ units: 3, activation: 'softmax', name: 'probs' }),
    ],
  });
  let saved: Omit<SavedModel, 'params'> | null = null;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      const json = {
        modelTopology: a.modelTopology,
        format: a.format,
        generatedBy: a.generatedBy,
        convertedBy: a.convertedBy ?? null,
        weightsManifest: [{ paths: ['weights.bin'], weights: a.weightSpecs }],
      };
      saved = { json: JSON.stringify(json), bin: new Uint8Array(a.weightData as ArrayBuffer) };
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(a) };
    }),
  );
  const params = model.countParams();
  model.dispose();
  return { ...saved!, params };
}

const NODES = ['input', 'hidden', 'probs', 'output'];

/** The ids of the nodes on the canvas, sorted. */
async function nodeIds(page: Page): Promise<string[]> {
  const ids = await page
    .locator('.react-flow__node')
    .evaluateAll((els) => els.map((e) => e.dataset.id ?? ''));
  return ids.sort();
}

/** The imported model on the canvas: its layers with their shapes, the parameter count, its origin. */
async function expectImported(page: Page, m: SavedModel): Promise<void> {
  for (const id of NODES) await expect(page.getByTestId(`node-${id}`)).toBeVisible();
  await expect(page.getByTestId('node-shape-hidden')).toHaveText('[batch, 8]');
  await expect(page.getByTestId('node-shape-probs')).toHaveText('[batch, 3]');
  await expect(page.getByTestId('node-params-hidden')).toHaveText('40 params');
  await expect(page.getByTestId('total-params')).toHaveText(String(m.params));
  await expect(page.getByTestId('import-note')).toHaveText(
    'Imported from model.json (TF.js) — choose data to train it',
  );
  await expect(page.getByTestId('weights-state')).toHaveAttribute('data-state', 'fit');
}

/** Dispatches a drag event carrying `files` (name → bytes) on the canvas, as the desktop's drop does. */
async function dragFiles(page: Page, type: 'dragenter' | 'drop', files: Record<string, number[]>) {
  const dataTransfer = await page.evaluateHandle((given) => {
    const dt = new DataTransfer();
    for (const [name, bytes] of Object.entries(given))
      dt.items.add(new File([new Uint8Array(bytes)], name, { type: 'application/octet-stream' }));
    return dt;
  }, files);
  await page.getByTestId('canvas').dispatchEvent(type, { dataTransfer });
}

let model: SavedModel;
test.beforeAll(async () => {
  model = await tfjsModel();
});

test('a TF.js model opened from the file browser: layers, shapes, parameters; saved as a project and reopened', async ({
  app: page,
  served,
}) => {
  await page.setViewportSize({ width: 1280, height: 720 });
  const dir = path.join(served.root, 'tfjs-model');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'model.json'), model.json);
  writeFileSync(path.join(dir, 'weights.bin'), model.bin);

  await page.getByTestId('cmd-open').click();
  await expect(page.getByTestId('file-browser')).toContainText('Open project or model');
  await page.getByTestId('fb-entry-tfjs-model').click();
  // The model is listed; its shard is not something to open.
  await expect(page.getByTestId('fb-entry-weights.bin')).toHaveCount(0);
  await page.getByTestId('fb-entry-model.json').click();
  await expectImported(page, model);
  // A new document, not saved anywhere yet (●), named as the model is.
  await expect(page.getByTestId('doc-title')).toHaveText(/^● sequential/);
  await expect(page.getByTestId('notice')).toHaveText('Opened tfjs-model/model.json');
  // No data yet: no sample picker on the canvas.
  await expect(page.getByTestId('probe-sample')).toHaveCount(0);
  await page.screenshot({ path: 'test-results/e2e/import-opened.png' });

  // Save asks where (the document has no path); a real project is written there.
  await page.keyboard.press('Control+s');
  await expect(page.getByTestId('file-browser')).toContainText('Save project as');
  await page.getByTestId('fb-filename').fill('imported.nnproj');
  await page.getByTestId('fb-save').click();
  await expect(page.getByTestId('notice')).toContainText('Saved imported.nnproj');
  await expect(page.getByTestId('doc-title')).toHaveText('imported.nnproj');
  expect(existsSync(path.join(served.root, 'imported.nnproj'))).toBe(true);
  const before = await nodeIds(page);
  expect(before).toEqual([...NODES].sort());

  await page.reload();
  await ready(page);
  await page.getByTestId('cmd-open').click();
  await page.getByTestId('fb-entry-imported.nnproj').click();
  await expect(page.getByTestId('doc-title')).toHaveText('imported.nnproj');
  await expect(page.getByTestId('node-hidden')).toBeVisible();
  expect(await nodeIds(page)).toEqual(before);
  await expect(page.getByTestId('total-params')).toHaveText(String(model.params));
  await expect(page.getByTestId('import-note')).toContainText('Imported from model.json (TF.js)');

  // Data is chosen as for any project without it: Iris fits the model (4 features, 3 classes).
  await page.getByTestId('import-choose-data').click();
  await page.getByTestId('dataset-select').selectOption('iris');
  await expect(page.getByTestId('data-summary')).toBeVisible({ timeout: 30_000 });
  await page.getByTestId('view-design').click();
  await expect(page.getByTestId('import-note')).toHaveText('Imported from model.json (TF.js)');
  await expect(page.getByTestId('total-params')).toHaveText(String(model.params));
  await expect(page.getByTestId('weights-state')).toHaveAttribute('data-state', 'fit');
});

test('model.json and weights.bin dropped on the canvas open the model; without weights.bin the drop is refused', async ({
  app: page,
}) => {
  await page.setViewportSize({ width: 1280, height: 720 });
  const files = { 'model.json': [...Buffer.from(model.json)], 'weights.bin': [...model.bin] };

  // While files are over the window, the overlay says what can be dropped.
  await dragFiles(page, 'dragenter', files);
  const overlay = page.getByTestId('drop-overlay');
  await expect(overlay).toBeVisible();
  await expect(overlay).toContainText('model.json together with its weight files');
  await page.screenshot({ path: 'test-results/e2e/import-drop-overlay.png' });

  // Sent by HTTP (POST /api/import), as a drop may be larger than one WebSocket message.
  const sent = page.waitForResponse((r) => r.url().includes('/api/import') && r.status() === 200);
  await dragFiles(page, 'drop', files);
  await sent;
  await expect(overlay).toBeHidden();
  await expectImported(page, model);
  await expect(page.getByTestId('doc-title')).toHaveText(/^● sequential/);
  await page.screenshot({ path: 'test-results/e2e/import-dropped.png' });
  const before = await nodeIds(page);
  const title = await page.getByTestId('doc-title').textContent();

  // model.json alone: refused, saying which file is missing; the open document is untouched.
  await dragFiles(page, 'drop', { 'model.json': files['model.json'] });
  await expect(page.getByTestId('error-dialog')).toBeVisible();
  await expect(page.getByTestId('error-dialog-message')).toContainText(
    'weights.bin is not among the dropped files',
  );
  await page.screenshot({ path: 'test-results/e2e/import-drop-error.png' });
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('error-dialog')).toBeHidden();
  expect(await nodeIds(page)).toEqual(before);
  await expect(page.getByTestId('doc-title')).toHaveText(title!);
  await expect(page.getByTestId('total-params')).toHaveText(String(model.params));
});

/**
 * A small channels-first CNN written by PyTorch's own ONNX exporter (Debian's python3-torch, which CI
 * installs), or null where torch is missing.
 */
function torchCnnOnnx(dir: string): string | null {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'torch-cnn.onnx');
  const script = `
import torch, torch.nn as nn
torch.manual_seed(0)
m = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(4 * 4 * 4, 3)).eval()
torch.onnx.export(m, torch.randn(1, 1, 8, 8), ${JSON.stringify(file)}, opset_version=17,
                  input_names=['image'], output_names=['logits'], dynamic_axes={'image': {0: 'n'}, 'logits': {0: 'n'}})
`;
  const r = spawnSync('/usr/bin/python3', ['-c', script], { encoding: 'utf8' });
  return r.status === 0 && existsSync(file) ? file : null;
}

test('an ONNX CNN exported by PyTorch, dropped on the canvas, opens channels last with its shapes', async ({
  app: page,
}, testInfo) => {
  const file = torchCnnOnnx(testInfo.outputDir);
  test.skip(file === null, 'Debian python3-torch is not installed');
  await page.setViewportSize({ width: 1280, height: 720 });
  await page.getByTestId('canvas').waitFor();
  const sent = page.waitForResponse((r) => r.url().includes('/api/import') && r.status() === 200);
  await dragFiles(page, 'drop', { 'torch-cnn.onnx': [...readFileSync(file!)] });
  await sent;
  await expect(page.getByTestId('node-image')).toBeVisible();
  // PyTorch's N, C, H, W image is a channels-last Input; the layers keep their ONNX names.
  await expect(page.getByTestId('node-shape-image')).toHaveText('[batch, 8, 8, 1]');
  await expect(page.getByTestId('total-params')).toHaveText(String(4 * 9 + 4 + 64 * 3 + 3));
  await expect(page.getByTestId('import-note')).toContainText('Imported from torch-cnn.onnx (ONNX)');
  await expect(page.locator('.react-flow__node[data-id^="Conv"]')).toHaveCount(1);
  await page.screenshot({ path: 'test-results/e2e/import-onnx.png' });
});
