/**
 * Random graphs for property tests: chains of catalog layers with random valid parameters (and
 * Add/Concatenate branches), and "garbage" graphs of any kinds with default parameters wired at
 * random. Shapes may not fit: such graphs still load; the checker says what is wrong.
 */
import fc from 'fast-check';
import { checkGraph } from '../../../shared/graph/check';
import type { GraphEdge, GraphNode, ParamValue } from '../../../shared/ir/schema';
import { ACTIVATIONS, FUSED_ACTIVATIONS, LAYER_KINDS, layerSpec, LOSSES } from '../../../shared/layers/index';
import { defaultParams, resolveParams } from '../../../shared/layers/params';

const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);

/** A finite double in [min, max] (never -0: JSON cannot keep it). */
export const num = (min: number, max: number, opts: { minExcluded?: boolean; maxExcluded?: boolean } = {}) =>
  fc.double({ min, max, noNaN: true, noDefaultInfinity: true, ...opts }).map((v) => (v === 0 ? 0 : v));

/** Identifier-like keys that are not forbidden. */
export const plainKey = fc.stringMatching(/^[a-z][a-zA-Z0-9_]{0,11}$/).filter((k) => !FORBIDDEN.has(k));

export const position = fc.record({ x: num(-1e6, 1e6), y: num(-1e6, 1e6) });

type LayerOp = {
  kind: string;
  params: Record<string, ParamValue>;
  name?: string;
  pos: { x: number; y: number };
};

const opOf = (kind: string, params: fc.Arbitrary<Record<string, ParamValue>>): fc.Arbitrary<LayerOp> =>
  fc
    .record({
      params,
      pos: position,
      name: fc.option(fc.string({ unit: 'binary', maxLength: 40 }), { nil: undefined }),
    })
    .map(({ params: p, pos, name }) =>
      name === undefined ? { kind, params: p, pos } : { kind, params: p, pos, name },
    );

/** Layers of the catalog with random valid parameters (each parameter may be left to its default). */
const layerOp: fc.Arbitrary<LayerOp> = fc.oneof(
  opOf(
    'Dense',
    fc.record(
      {
        units: fc.integer({ min: 1, max: 512 }),
        activation: fc.constantFrom(...FUSED_ACTIVATIONS),
        useBias: fc.boolean(),
      },
      { requiredKeys: [] },
    ),
  ),
  opOf(
    'Activation',
    fc.record({ fn: fc.constantFrom(...ACTIVATIONS), alpha: num(0, 10) }, { requiredKeys: [] }),
  ),
  opOf('Dropout', fc.record({ rate: num(0, 1, { maxExcluded: true }) }, { requiredKeys: [] })),
  opOf(
    'LayerNormalization',
    fc.record(
      { epsilon: num(0, 1, { minExcluded: true }), center: fc.boolean(), scale: fc.boolean() },
      { requiredKeys: [] },
    ),
  ),
  opOf('Flatten', fc.record({})), // a fresh object each time, never one shared by every Flatten
);

type Step = { op: LayerOp } | { merge: 'Add' | 'Concatenate'; left: LayerOp[]; right: LayerOp[] };

const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 4, arbitrary: layerOp.map((op) => ({ op })) },
  {
    weight: 1,
    arbitrary: fc.record({
      merge: fc.constantFrom('Add' as const, 'Concatenate' as const),
      left: fc.array(layerOp, { maxLength: 3 }),
      right: fc.array(layerOp, { maxLength: 3 }),
    }),
  },
);

const inputShape = fc.array(
  fc.oneof({ weight: 9, arbitrary: fc.integer({ min: 1, max: 64 }) }, fc.constant(null)),
  {
    minLength: 1,
    maxLength: 3,
  },
);

export const chainSpec = fc.record({
  shape: inputShape,
  dtype: fc.constantFrom('float32', 'int32'),
  steps: fc.array(step, { minLength: 0, maxLength: 8 }),
  target: fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 3 }),
  loss: fc.constantFrom(...LOSSES),
  /** Most of the time the Output's target is set to what the network predicts, so the graph is valid. */
  fitTarget: fc.boolean(),
  inputPos: position,
});

export interface Built {
  nodes: GraphNode[];
  edges: GraphEdge[];
}

/** Input -> steps (with Add/Concatenate branches) -> Output. Shapes may not fit: that still loads. */
type ChainSpec = typeof chainSpec extends fc.Arbitrary<infer T> ? T : never;

export function buildChain(spec: ChainSpec): Built {
  const nodes: GraphNode[] = [];
  const edges: GraphEdge[] = [];
  const add = (
    kind: string,
    params: Record<string, ParamValue>,
    pos: { x: number; y: number },
    name?: string,
  ) => {
    const id = `${kind.toLowerCase()}_${nodes.length + 1}`;
    const n: GraphNode = { id, kind, params, position: pos };
    if (name !== undefined) n.name = name;
    nodes.push(n);
    return id;
  };
  const connect = (source: string, target: string, targetPort = 'in') =>
    edges.push({ id: `e${edges.length + 1}`, source, target, targetPort });
  const run = (from: string, ops: readonly LayerOp[]) => {
    let cur = from;
    for (const op of ops) {
      const id = add(op.kind, op.params, op.pos, op.name);
      connect(cur, id);
      cur = id;
    }
    return cur;
  };
  let cur = add('Input', { shape: spec.shape, dtype: spec.dtype }, spec.inputPos);
  for (const s of spec.steps) {
    if ('op' in s) cur = run(cur, [s.op]);
    else {
      const l = run(cur, s.left);
      const r = run(cur, s.right);
      const m = add(s.merge, s.merge === 'Add' ? { inputs: 2 } : { inputs: 2, axis: -1 }, { x: 0, y: 0 });
      connect(l, m, 'in1');
      connect(r, m, 'in2');
      cur = m;
    }
  }
  const out = add('Output', { targetShape: spec.target, loss: spec.loss }, { x: 1, y: 1 });
  connect(cur, out);
  if (spec.fitTarget) {
    const predicted = checkGraph({ nodes, edges }).nodes.get(out)?.inputShapes[0]?.slice(1);
    if (predicted && predicted.length <= 4 && predicted.every((d) => typeof d === 'number'))
      nodes[nodes.length - 1]!.params = { targetShape: predicted as number[], loss: 'meanSquaredError' };
  }
  return { nodes, edges };
}

/** Any kind of the catalog with default parameters, each input port wired (or not) to an earlier node. */
export const garbageSpec = fc.array(
  fc.record({
    kind: fc.constantFrom(...LAYER_KINDS),
    wires: fc.array(fc.option(fc.nat(), { nil: undefined }), { maxLength: 8 }),
    pos: position,
  }),
  { maxLength: 14 },
);

export function buildGarbage(
  spec: { kind: string; wires: (number | undefined)[]; pos: { x: number; y: number } }[],
): Built {
  const nodes: GraphNode[] = [];
  const edges: GraphEdge[] = [];
  spec.forEach(({ kind, wires, pos }, i) => {
    const ls = layerSpec(kind as (typeof LAYER_KINDS)[number]);
    const params = defaultParams(ls) as Record<string, ParamValue>;
    const id = `n${i}_${kind}`;
    nodes.push({ id, kind, params, position: pos });
    const res = resolveParams(ls, params);
    if (!res.ok) throw new Error(`default params of ${kind} do not validate`);
    const earlier = nodes.slice(0, i).filter((n) => n.kind !== 'Output');
    ls.ports(res.config).forEach((port, k) => {
      const w = wires[k];
      if (w === undefined || earlier.length === 0) return;
      edges.push({
        id: `e${edges.length + 1}`,
        source: earlier[w % earlier.length]!.id,
        target: id,
        targetPort: port.name,
      });
    });
  });
  return { nodes, edges };
}

/** A permutation of a graph's nodes and edges (file order must not matter). */
export const shuffled = (g: Built): fc.Arbitrary<Built> =>
  fc
    .tuple(
      fc.shuffledSubarray(g.nodes, { minLength: g.nodes.length, maxLength: g.nodes.length }),
      fc.shuffledSubarray(g.edges, { minLength: g.edges.length, maxLength: g.edges.length }),
    )
    .map(([nodes, edges]) => ({ nodes, edges }));

export const graphArb: fc.Arbitrary<Built> = fc.oneof(
  chainSpec.map(buildChain).chain(shuffled),
  garbageSpec.map(buildGarbage).chain(shuffled),
);
