/** Shared by the export tests: tiny trained projects, a temp folder, and Debian's Python with torch. */
import * as tf from '@tensorflow/tfjs';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadTrainedModel } from '../../../electron/engine/artifacts';
import { startTrainingInProcess } from '../../../electron/engine/session';
import { writeSafetensors } from '../../../electron/export/tensors';
import type { ProjectBundle } from '../../../shared/ir/project';
import type { Graph, Project } from '../../../shared/ir/schema';
import type { ArrayDataset } from '../../../shared/training/data';
import type { WeightArtifacts } from '../../../shared/training/protocol';
import { buildTemplate, type TemplateId, type TemplateOptions } from '../../../shared/templates/index';

export const PYTHON = '/usr/bin/python3';
export const torchAvailable = spawnSync(PYTHON, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;

export const tempDir = (tag: string) => mkdtempSync(path.join(os.tmpdir(), `netloom-export-${tag}-`));

/** Small sizes for speed. */
export const TEMPLATE_OPTIONS: Record<TemplateId, TemplateOptions> = {
  mlp: { inputShape: [20], outputs: 3 },
  cnn: { inputShape: [12, 12, 1], outputs: 3 },
  lstm: { inputShape: [12], outputs: 2, vocabSize: 50 },
  gru: { inputShape: [12], outputs: 2, vocabSize: 50 },
  transformer: { inputShape: [12], outputs: 2, vocabSize: 50 },
  perceptron: { inputShape: [4], outputs: 1 },
  autoencoder: { inputShape: [16] },
  resnet: { inputShape: [12, 12, 1], outputs: 3 },
  encoder: { inputShape: [12], outputs: 2, vocabSize: 50 },
};

/** Deterministic synthetic samples for a template: token ids or smooth floats, labels by index. */
export function syntheticData(project: Project, count: number, classes: number): ArrayDataset {
  const input = project.graph.nodes.find((n) => n.kind === 'Input')!;
  const shape = (input.params.shape as number[]).map((d) => d ?? 1);
  const per = shape.reduce((a, d) => a * d, 1);
  const tokens = input.params.dtype === 'int32';
  const x = tokens
    ? Int32Array.from({ length: count * per }, (_, i) => (i * 7919 + (i >> 3)) % 50)
    : Float32Array.from({ length: count * per }, (_, i) => Math.sin(i * 0.37) + 0.1 * Math.cos(i * 1.3));
  const y = Int32Array.from({ length: count }, (_, i) => i % classes);
  return {
    id: 'synthetic',
    name: 'synthetic',
    task: 'classification',
    x,
    sampleShape: shape,
    xDtype: tokens ? 'int32' : 'float32',
    y,
    targetSize: 1,
    count,
  };
}

/** Trains a project in-process (batches of 16); the bundle carries the trained weights. */
export async function trainedProject(
  project: Project,
  data: ArrayDataset,
  epochs = 1,
): Promise<ProjectBundle> {
  const h = startTrainingInProcess({
    project,
    dataset: data,
    config: { ...project.training, epochs, batchSize: 16 },
    backend: 'wasm',
  });
  const done = await h.done;
  if (done.type !== 'done')
    throw new Error(`training ${project.name} ended with ${done.type}: ${JSON.stringify(done)}`);
  return { project, weights: done.weights };
}

/** Trains a template for one epoch in-process; the bundle carries the trained weights. */
export async function trainedTemplate(
  id: TemplateId,
): Promise<{ bundle: ProjectBundle; data: ArrayDataset }> {
  const o = TEMPLATE_OPTIONS[id];
  const project = buildTemplate(id, o);
  let data = syntheticData(project, 48, Math.max(o.outputs ?? 2, 2));
  if (id === 'autoencoder') {
    // The autoencoder learns its own inputs, in [0, 1] as its sigmoid outputs.
    const x = Float32Array.from(data.x, (v) => (v + 1.2) / 2.4);
    data = { ...data, task: 'regression', x, y: x, targetSize: data.sampleShape[0]! };
  }
  return { bundle: await trainedProject(project, data), data };
}

/** The engine's predictions for the samples of `data` (as nested arrays, one row per sample). */
export async function enginePredict(
  bundle: { project: { graph: Graph }; weights?: WeightArtifacts | undefined },
  data: ArrayDataset,
): Promise<number[][]> {
  if (!bundle.weights) throw new Error('enginePredict: the bundle has no weights');
  const model = await loadTrainedModel(bundle.project.graph, bundle.weights);
  const x = tf.tensor(data.x, [data.count, ...data.sampleShape], data.xDtype);
  const out = model.predict(x) as tf.Tensor;
  const rows = out.reshape([data.count, -1]).arraySync() as number[][];
  tf.dispose([x, out]);
  model.dispose();
  return rows;
}

export function maxAbsDiff(a: number[][], b: number[][]): number {
  if (a.length !== b.length) throw new Error(`row counts differ: ${a.length} vs ${b.length}`);
  let max = 0;
  a.forEach((row, i) => {
    const other = b[i]!;
    if (row.length !== other.length) throw new Error(`row ${i}: ${row.length} vs ${other.length} values`);
    row.forEach((v, j) => (max = Math.max(max, Math.abs(v - other[j]!))));
  });
  return max;
}

/**
 * Runs an export's predict.py on the samples of `data` (already encoded), with its weights.pt or
 * `weights`: one array per row.
 */
export function torchPredict(dir: string, data: ArrayDataset, weights?: string): number[][] {
  writeFileSync(
    path.join(dir, 'inputs.safetensors'),
    writeSafetensors(new Map([['x', { shape: [data.count, ...data.sampleShape], data: data.x }]])),
  );
  const out = execFileSync(
    PYTHON,
    ['predict.py', '--inputs', 'inputs.safetensors', ...(weights ? ['--weights', weights] : [])],
    { cwd: dir, encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: '1' } },
  );
  return out
    .trim()
    .split('\n')
    .map((l) => (JSON.parse(l) as number[]).flat());
}
