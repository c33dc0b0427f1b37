/** Small graphs and synthetic datasets for the engine tests (generated here, seeded). */
import type { GraphEdge, GraphNode } from '../../../shared/ir/schema';
import { DEFAULT_TRAINING, type TrainingConfig } from '../../../shared/training/config';
import type { ArrayDataset } from '../../../shared/training/data';
import { rng } from './reference';

export function spirals(count: number, seed = 1, noise = 0.1): ArrayDataset {
  const r = rng(seed);
  const x = new Float32Array(count * 2);
  const y = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const cls = i % 2;
    const t = r() * 2.5 * Math.PI + 0.3;
    const angle = t + cls * Math.PI;
    x[2 * i] = (t * Math.cos(angle)) / 5 + (r() - 0.5) * noise;
    x[2 * i + 1] = (t * Math.sin(angle)) / 5 + (r() - 0.5) * noise;
    y[i] = cls;
  }
  return {
    id: 'spirals',
    name: 'Spirals',
    task: 'classification',
    x,
    sampleShape: [2],
    xDtype: 'float32',
    y,
    targetSize: 1,
    classes: ['a', 'b'],
    count,
  };
}

export function linearRegression(count: number, seed = 2): ArrayDataset {
  const r = rng(seed);
  const x = new Float32Array(count * 3);
  const y = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    const a = r() * 2 - 1;
    const b = r() * 2 - 1;
    const c = r() * 2 - 1;
    x.set([a, b, c], i * 3);
    y[i] = 2 * a - b + 0.5 * c + 0.3 + (r() - 0.5) * 0.02;
  }
  return {
    id: 'linear',
    name: 'Linear',
    task: 'regression',
    x,
    sampleShape: [3],
    xDtype: 'float32',
    y,
    targetSize: 1,
    count,
  };
}

/** A straight chain of nodes, each fed by the previous one (port `in`). */
export function chain(...nodes: [kind: string, params: Record<string, unknown>][]) {
  const out: GraphNode[] = nodes.map(([kind, params], i) => ({
    id: `n${i}`,
    kind,
    params: params as GraphNode['params'],
    position: { x: 0, y: i * 100 },
  }));
  const edges: GraphEdge[] = out.slice(1).map((n, i) => ({
    id: `e${i}`,
    source: `n${i}`,
    target: n.id,
    targetPort: 'in',
  }));
  return { nodes: out, edges };
}

export function mlp(inputs: number, classes: number, hidden = 32) {
  return chain(
    ['Input', { shape: [inputs], dtype: 'float32' }],
    ['Dense', { units: hidden, activation: 'relu', useBias: true }],
    ['Dense', { units: hidden, activation: 'relu', useBias: true }],
    ['Dense', { units: classes, activation: 'softmax', useBias: true }],
    ['Output', { targetShape: [classes], loss: 'auto' }],
  );
}

export function config(over: Partial<TrainingConfig> = {}): TrainingConfig {
  return { ...DEFAULT_TRAINING, ...over };
}
