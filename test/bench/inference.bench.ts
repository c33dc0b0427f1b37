/**
 * `npm run bench`: validation + shape inference on generated graphs of 100, 1,000 and 5,000 nodes.
 * Goal: 5,000 nodes in under 50 ms. Absolute times on shared machines are noise, so each figure is
 * also printed as a ratio against a reference measured in the same run: JSON.parse of the same
 * project text (the least work any loader must do).
 */
import { performance } from 'node:perf_hooks';
import { checkGraph } from '../../shared/graph/check';
import { emptyProject, loadProjectJson } from '../../shared/ir/project';
import type { GraphEdge, GraphNode } from '../../shared/ir/schema';
import { defaultParams } from '../../shared/layers/params';
import { layerSpec, type LayerKind } from '../../shared/layers/index';

/** A residual MLP: blocks of Dense → LayerNorm → Activation → Dropout → Add(skip). */
function residualGraph(target: number) {
  const nodes: GraphNode[] = [];
  const edges: GraphEdge[] = [];
  let y = 0;
  const add = (kind: LayerKind, params: Record<string, unknown> = {}) => {
    const id = `n${nodes.length}`;
    nodes.push({
      id,
      kind,
      params: { ...defaultParams(layerSpec(kind)), ...params } as GraphNode['params'],
      position: { x: 0, y: (y += 80) },
    });
    return id;
  };
  const link = (source: string, target: string, targetPort = 'in') =>
    edges.push({ id: `e${edges.length}`, source, target, targetPort });
  let prev = add('Input', { shape: [64] });
  while (nodes.length < target - 6) {
    const d = add('Dense', { units: 64 });
    link(prev, d);
    const ln = add('LayerNormalization');
    link(d, ln);
    const a = add('Activation', { fn: 'gelu' });
    link(ln, a);
    const dr = add('Dropout', { rate: 0.1 });
    link(a, dr);
    const sum = add('Add');
    link(prev, sum, 'in1');
    link(dr, sum, 'in2');
    prev = sum;
  }
  const head = add('Dense', { units: 10 });
  link(prev, head);
  const sm = add('Activation', { fn: 'softmax' });
  link(head, sm);
  const out = add('Output', { targetShape: [10] });
  link(sm, out);
  return { nodes, edges };
}

function time(fn: () => void, minMs = 300): number {
  fn(); // warm up
  const samples: number[] = [];
  const start = performance.now();
  while (performance.now() - start < minMs || samples.length < 5) {
    const t0 = performance.now();
    fn();
    samples.push(performance.now() - t0);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)]!;
}

console.log('Validation + shape inference (median ms; ratios against JSON.parse of the same project text)');
console.log(
  '  check = checkGraph: structure, parameters, shapes, counts, FLOPs (what the editor runs on every edit)',
);
console.log('  load  = the same from project.json text: JSON.parse + forbidden keys + schema + check');
console.log(
  'nodes   edges      check      load   JSON.parse   check/parse   load/parse   goal (check, 5,000 nodes < 50 ms)',
);
for (const n of [100, 1000, 5000]) {
  const project = emptyProject('bench');
  project.graph = residualGraph(n);
  const text = JSON.stringify(project);
  const full = time(() => {
    // Parse, forbidden-key scan, schema, structure, parameters, shape inference and counts.
    const { report } = loadProjectJson(text);
    if (!report.valid) throw new Error('bench graph invalid');
  });
  const infer = time(() => checkGraph(project.graph));
  const ref = time(() => JSON.parse(text));
  const goal = n === 5000 ? (infer < 50 ? 'met' : 'MISSED') : '';
  console.log(
    `${String(project.graph.nodes.length).padEnd(8)}${String(project.graph.edges.length).padEnd(8)}${infer.toFixed(2).padStart(7)}${full.toFixed(2).padStart(10)}${ref.toFixed(2).padStart(13)}${(infer / ref).toFixed(1).padStart(13)}x${(full / ref).toFixed(1).padStart(12)}x   ${goal}`,
  );
}
