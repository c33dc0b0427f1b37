/**
 * The graph checker: structure (ports, cycles), parameters, shape inference with a symbolic batch
 * axis, parameter counts with their arithmetic, FLOPs and totals. Every issue names the node and
 * port and says what would fix it; where a standard fix exists it comes back as data (`fix`) so the
 * editor can offer it in one click.
 *
 * Pure and synchronous: the editor runs it on every change (memoised), the CLI and the engine run it
 * before anything else.
 */
import {
  type AnyLayerSpec,
  type ConfigOf,
  type FixInsert,
  LayerShapeError,
  type ParamSpecs,
  type PortSpec,
  type WeightShapes,
} from '../layers/define';
import { isLayerKind, type LayerKind, layerSpec } from '../layers/index';
import { resolveParams } from '../layers/params';
import { formatCount, formatShape, product, type Shape } from '../layers/shape';
import { finalActivation, headIssue } from './head';
import { topoOrderIndexed } from './topo';

/** The part of a graph the checker reads (positions and names do not matter to it). */
export interface CheckNode {
  readonly id: string;
  readonly kind: string;
  readonly name?: string | undefined;
  readonly params: Readonly<Record<string, unknown>>;
}
export interface CheckEdge {
  readonly id: string;
  readonly source: string;
  readonly target: string;
  readonly targetPort: string;
}
export interface CheckGraph {
  readonly nodes: readonly CheckNode[];
  readonly edges: readonly CheckEdge[];
}

export type IssueCode =
  | 'duplicate-id'
  | 'unknown-kind'
  | 'bad-param'
  | 'dangling-edge'
  | 'unknown-port'
  | 'output-has-no-output'
  | 'self-loop'
  | 'cycle'
  | 'port-unconnected'
  | 'port-multiple'
  | 'shape'
  | 'upstream'
  | 'no-input'
  | 'no-output'
  | 'unused'
  | 'loss';

/** A repair the editor can apply: insert a node of `insert.kind` on the edge into `before`. */
export interface GraphFix {
  label: string;
  insert: { kind: LayerKind; params: Record<string, unknown> };
  before: { nodeId: string; port: string };
}

export interface GraphIssue {
  severity: 'error' | 'warning';
  code: IssueCode;
  message: string;
  nodeId?: string;
  kind?: string;
  port?: string;
  param?: string;
  edgeId?: string;
  fix?: GraphFix;
}

export interface WeightInfo {
  name: string;
  shape: readonly number[];
  count: number;
  trainable: boolean;
}

export interface ParamCount {
  total: number;
  trainable: number;
  nonTrainable: number;
  weights: WeightInfo[];
  /** `784 × 128 + 128 = 100,480` */
  arithmetic: string;
}

export interface NodeReport {
  id: string;
  kind: string;
  /** Shapes of the tensors on its input ports, in port order (fallbacks resolved). */
  inputShapes: (Shape | undefined)[];
  outputShape: Shape | undefined;
  params: ParamCount | undefined;
  flops: number | undefined;
  issues: GraphIssue[];
}

export interface GraphReport {
  /** Nodes inputs-first; nodes on a cycle are left out. */
  order: string[];
  nodes: Map<string, NodeReport>;
  /** The shape on each edge (the source's output shape). */
  edgeShapes: Map<string, Shape>;
  issues: GraphIssue[];
  errors: number;
  warnings: number;
  valid: boolean;
  totals: { params: number; trainable: number; nonTrainable: number; flops: number };
  inputs: string[];
  outputs: string[];
  /**
   * The nodes the model is made of, inputs-first: those with a path to an Output (Outputs
   * included). A branch that feeds no Output is left out of training, weights and exports (it is
   * warned about as unused); `inputs` lists only the Inputs among them.
   */
  live: string[];
}

const describeNode = (n: { id: string; kind: string }) => `${n.id} (${n.kind})`;

/** One line for a terminal: `dense_1 (Dense), port in: Dense needs ...` */
export function formatIssue(i: GraphIssue): string {
  const where = [
    i.nodeId ? `${i.nodeId}${i.kind ? ` (${i.kind})` : ''}` : i.edgeId ? `edge ${i.edgeId}` : undefined,
    i.port ? `port ${i.port}` : undefined,
    i.param ? `param ${i.param}` : undefined,
  ]
    .filter(Boolean)
    .join(', ');
  const fix = i.fix ? ` Fix: ${i.fix.label}.` : '';
  return `${i.severity}: ${where ? `${where}: ` : ''}${i.message}${fix}`;
}

export function paramCount(weights: WeightShapes): ParamCount {
  const list: WeightInfo[] = [];
  let total = 0;
  let trainable = 0;
  for (const name in weights) {
    const w = weights[name]!;
    const isArray = Array.isArray(w);
    const shape = isArray ? (w as readonly number[]) : (w as { shape: readonly number[] }).shape;
    const train = isArray || (w as { trainable?: boolean }).trainable !== false;
    const count = product(shape);
    total += count;
    if (train) trainable += count;
    list.push({ name, shape, count, trainable: train });
  }
  let arithmetic: string | undefined;
  return {
    total,
    trainable,
    nonTrainable: total - trainable,
    weights: list,
    // Built on first read: the editor shows it for one node at a time, the checker runs on every edit.
    get arithmetic() {
      return (arithmetic ??= formatArithmetic(list, total));
    },
  };
}

function formatArithmetic(list: readonly WeightInfo[], total: number): string {
  if (list.length === 0) return '0';
  if (list.length === 1 && list[0]!.shape.length <= 1) return formatCount(total);
  const terms = list.map((w) => w.shape.map(formatCount).join(' × ') || '1');
  return `${terms.join(' + ')} = ${formatCount(total)}`;
}

/** Layers that act on the last axis only: a Flatten in front of them changes nothing else. */
const LAST_AXIS_KINDS: ReadonlySet<string> = new Set([
  'Dense',
  'Activation',
  'Dropout',
  'BatchNormalization',
  'LayerNormalization',
]);

const NO_ISSUES: readonly GraphIssue[] = Object.freeze([]);

/**
 * Internally every node is an index into flat arrays (one Map from id to index), which keeps the
 * checker fast on big graphs: 5,000 nodes are checked in a few milliseconds.
 */
export function checkGraph(graph: CheckGraph): GraphReport {
  const issues: GraphIssue[] = [];
  const index = new Map<string, number>();
  const list: CheckNode[] = [];
  const reps: NodeReport[] = [];
  const reportOf = (id: string) => {
    const i = index.get(id);
    return i === undefined ? undefined : reps[i];
  };
  const add = (issue: GraphIssue) => {
    issues.push(issue);
    if (issue.nodeId === undefined) return;
    const r = reportOf(issue.nodeId);
    if (!r) return;
    if (r.issues === NO_ISSUES) r.issues = [issue];
    else r.issues.push(issue);
  };

  for (const n of graph.nodes) {
    if (index.has(n.id)) {
      add({
        severity: 'error',
        code: 'duplicate-id',
        message: `Two nodes share the id "${n.id}"; ids must be unique.`,
      });
      continue;
    }
    index.set(n.id, list.length);
    list.push(n);
    reps.push({
      id: n.id,
      kind: n.kind,
      inputShapes: [],
      outputShape: undefined,
      params: undefined,
      flops: undefined,
      issues: NO_ISSUES as GraphIssue[],
    });
  }
  const N = list.length;

  // Parameters and ports per node.
  const specs: (AnyLayerSpec | undefined)[] = new Array(N);
  const configs: (ConfigOf<ParamSpecs> | undefined)[] = new Array(N);
  const ports: (readonly PortSpec[] | undefined)[] = new Array(N);
  for (let i = 0; i < N; i++) {
    const n = list[i]!;
    if (!isLayerKind(n.kind)) {
      add({
        severity: 'error',
        code: 'unknown-kind',
        nodeId: n.id,
        kind: n.kind,
        message: `Unknown layer kind "${n.kind}". Replace it with a kind from the palette.`,
      });
      continue;
    }
    const spec = layerSpec(n.kind);
    specs[i] = spec;
    const res = resolveParams(spec, n.params);
    if (!res.ok) {
      for (const pi of res.issues)
        add({
          severity: 'error',
          code: 'bad-param',
          nodeId: n.id,
          kind: n.kind,
          param: pi.param,
          message: pi.message,
        });
      continue;
    }
    configs[i] = res.config;
    ports[i] = spec.ports(res.config);
  }

  // Edges: endpoints, ports, one edge per input port. incoming[i][p] = edges into port p of node i.
  const incoming: (CheckEdge[][] | undefined)[] = new Array(N);
  const outCount = new Int32Array(N);
  const validEdges: CheckEdge[] = [];
  const topoEdges: number[] = [];
  for (const e of graph.edges) {
    const si = index.get(e.source);
    const ti = index.get(e.target);
    const s = si === undefined ? undefined : list[si];
    const t = ti === undefined ? undefined : list[ti];
    if (!s || !t || si === undefined || ti === undefined) {
      add({
        severity: 'error',
        code: 'dangling-edge',
        edgeId: e.id,
        message: `Edge ${e.id} connects ${s ? '' : `a missing node "${e.source}"`}${!s && !t ? ' and ' : ''}${t ? '' : `a missing node "${e.target}"`}. Delete the edge.`,
      });
      continue;
    }
    if (si === ti) {
      add({
        severity: 'error',
        code: 'self-loop',
        nodeId: t.id,
        kind: t.kind,
        port: e.targetPort,
        edgeId: e.id,
        message: `${describeNode(t)} feeds its own input. A layer cannot use its own output; remove that edge.`,
      });
      continue;
    }
    if (s.kind === 'Output') {
      add({
        severity: 'error',
        code: 'output-has-no-output',
        nodeId: s.id,
        kind: s.kind,
        edgeId: e.id,
        message: `An Output node ends the network and has no outgoing tensor; connect from the layer before it.`,
      });
      continue;
    }
    const tp = ports[ti];
    let pi = 0;
    if (tp) {
      pi = tp.findIndex((p) => p.name === e.targetPort);
      if (pi < 0) {
        add({
          severity: 'error',
          code: 'unknown-port',
          nodeId: t.id,
          kind: t.kind,
          port: e.targetPort,
          edgeId: e.id,
          message: `${t.kind} has no input port "${e.targetPort}" (its ports: ${tp.map((p) => p.name).join(', ') || 'none'}).`,
        });
        continue;
      }
    }
    validEdges.push(e);
    topoEdges.push(si, ti);
    outCount[si]!++;
    if (!tp) continue; // node without valid params: no port table to fill
    let byPort = incoming[ti];
    if (!byPort) incoming[ti] = byPort = Array.from({ length: tp.length }, () => []);
    byPort[pi]!.push(e);
  }

  for (let i = 0; i < N; i++) {
    const byPort = incoming[i];
    if (!byPort) continue;
    byPort.forEach((edges, pi) => {
      if (edges.length > 1) {
        const n = list[i]!;
        const port = ports[i]![pi]!.name;
        add({
          severity: 'error',
          code: 'port-multiple',
          nodeId: n.id,
          kind: n.kind,
          port,
          message: `Port ${port} has ${edges.length} incoming edges (from ${edges.map((e) => e.source).join(', ')}); an input port takes one. To combine tensors, insert an Add or a Concatenate.`,
        });
      }
    });
  }
  /** The node feeding port `port` of node i (the first edge), as an index. */
  const sourceOf = (i: number, port: string): number | undefined => {
    const pl = ports[i];
    const byPort = incoming[i];
    if (!pl || !byPort) return undefined;
    const pi = pl.findIndex((p) => p.name === port);
    const e = pi < 0 ? undefined : byPort[pi]?.[0];
    return e === undefined ? undefined : index.get(e.source);
  };

  // Topological order over the valid edges.
  const { order: orderIdx, cycle } = topoOrderIndexed(N, topoEdges);
  const order = orderIdx.map((i) => list[i]!.id);
  if (cycle.length > 0) {
    const first = list[cycle[0]!]!;
    const ids = cycle.map((i) => list[i]!.id);
    add({
      severity: 'error',
      code: 'cycle',
      nodeId: first.id,
      kind: first.kind,
      message: `The graph has a cycle: ${[...ids, ids[0]].join(' → ')}. A feed-forward network cannot feed a layer its own output; remove one of these edges (for memory over time, use an LSTM, GRU or SimpleRNN layer).`,
    });
  }

  // Shape inference in order.
  const outShapes: (Shape | undefined)[] = new Array(N);
  for (const i of orderIdx) {
    const n = list[i]!;
    const spec = specs[i];
    const cfg = configs[i];
    const rep = reps[i]!;
    if (!spec || !cfg) continue;
    const portList = ports[i]!;
    const byPort = incoming[i];
    const shapes: (Shape | undefined)[] = new Array(portList.length);
    let blocked = false;
    for (let pi = 0; pi < portList.length; pi++) {
      const port = portList[pi]!;
      const edges = byPort?.[pi];
      let shape: Shape | undefined;
      if (!edges || edges.length === 0) {
        if (port.fallback !== undefined) {
          const fi = portList.findIndex((p) => p.name === port.fallback);
          shape = fi >= 0 && fi < pi ? shapes[fi] : undefined;
          if (shape === undefined) blocked = true;
        } else {
          add({
            severity: 'error',
            code: 'port-unconnected',
            nodeId: n.id,
            kind: n.kind,
            port: port.name,
            message: `Input port ${port.name} of ${describeNode(n)} is not connected. Connect a layer's output to it.`,
          });
          blocked = true;
        }
      } else if (edges.length > 1) {
        blocked = true;
      } else {
        const src = index.get(edges[0]!.source);
        shape = src === undefined ? undefined : outShapes[src];
        if (shape === undefined) blocked = true;
      }
      shapes[pi] = shape;
    }
    rep.inputShapes = shapes;
    if (blocked) continue;
    const inputShapes = shapes as Shape[];
    try {
      const out = spec.outputShape(inputShapes, cfg);
      rep.outputShape = out;
      outShapes[i] = out;
      rep.params = paramCount(spec.weights(inputShapes, cfg));
      rep.flops = spec.flops(inputShapes, out, cfg);
    } catch (err) {
      if (!(err instanceof LayerShapeError)) throw err;
      const issue: GraphIssue = {
        severity: 'error',
        code: 'shape',
        nodeId: n.id,
        kind: n.kind,
        message: err.message,
      };
      if (err.port) issue.port = err.port;
      const fix = err.fix && err.port ? toFix(err.fix, n.id, err.port) : undefined;
      if (fix) issue.fix = fix;
      else if (n.kind === 'Output') {
        const f = flattenFixForOutput(i);
        if (f) {
          issue.fix = f;
          issue.message += ` ${f.label} so it sees one vector per sample.`;
        }
      }
      add(issue);
    }
  }

  function toFix(f: FixInsert, nodeId: string, port: string): GraphFix | undefined {
    if (!isLayerKind(f.kind)) return undefined;
    const params = Object.entries(f.params)
      .map(([k, v]) => `${k} ${Array.isArray(v) ? formatShape(v as number[]) : String(v)}`)
      .join(', ');
    return {
      label: `Insert a ${f.kind}${params ? ` (${params})` : ''} before ${nodeId}`,
      insert: { kind: f.kind, params: { ...f.params } },
      before: { nodeId, port },
    };
  }

  /**
   * The prediction has more axes than the target: walk back through layers that act on the last
   * axis to the first Dense that received a multi-axis tensor, and offer a Flatten in front of it.
   */
  function flattenFixForOutput(outputIdx: number): GraphFix | undefined {
    let cur = sourceOf(outputIdx, 'in');
    let candidate: string | undefined;
    for (let guard = 0; cur !== undefined && guard < N; guard++) {
      const node = list[cur]!;
      if (!LAST_AXIS_KINDS.has(node.kind)) break;
      const input = reps[cur]!.inputShapes[0];
      if (node.kind === 'Dense' && input && input.length > 2) candidate = node.id;
      cur = sourceOf(cur, 'in');
    }
    if (candidate === undefined) return undefined;
    return {
      label: `Insert a Flatten before ${candidate}`,
      insert: { kind: 'Flatten', params: {} },
      before: { nodeId: candidate, port: 'in' },
    };
  }

  // Loss sanity: softmax over one unit, or a loss that does not fit the activation.
  for (let i = 0; i < N; i++) {
    const n = list[i]!;
    if (n.kind !== 'Output') continue;
    const cfg = configs[i];
    const src = sourceOf(i, 'in');
    if (!cfg || src === undefined) continue;
    const act = finalActivation(
      src,
      (j) => ({ kind: list[j]!.kind, config: configs[j] }),
      (j) => sourceOf(j, 'in'),
    );
    const issue = headIssue(cfg.loss as string, act, cfg.targetShape as readonly (number | null)[]);
    if (issue)
      add({ severity: issue.severity, code: 'loss', nodeId: n.id, kind: n.kind, message: issue.message });
  }

  // Whole-graph checks.
  const inputs = list.filter((n) => n.kind === 'Input').map((n) => n.id);
  const outputs = list.filter((n) => n.kind === 'Output').map((n) => n.id);
  if (N > 0 && inputs.length === 0)
    add({
      severity: 'error',
      code: 'no-input',
      message: 'The graph has no Input node. Add one from the palette (Input & output).',
    });
  if (N > 0 && outputs.length === 0)
    add({
      severity: 'error',
      code: 'no-output',
      message:
        'The graph has no Output node. Add one after the last layer so training knows what to predict.',
    });
  for (let i = 0; i < N; i++) {
    const n = list[i]!;
    if (n.kind === 'Output' || !specs[i]) continue;
    if (outCount[i] === 0)
      add({
        severity: 'warning',
        code: 'unused',
        nodeId: n.id,
        kind: n.kind,
        message: `The output of ${describeNode(n)} is not used: it is left out of training and exports. Connect it onward or delete it.`,
      });
  }

  // The model: every node with a path to an Output (walked backwards from the Outputs).
  const alive = new Uint8Array(N);
  const feeders: number[][] = Array.from({ length: N }, () => []);
  for (let k = 0; k < validEdges.length; k++) feeders[topoEdges[2 * k + 1]!]!.push(topoEdges[2 * k]!);
  const walk: number[] = [];
  for (let i = 0; i < N; i++) if (list[i]!.kind === 'Output') walk.push(i);
  for (const i of walk) alive[i] = 1;
  while (walk.length > 0) {
    const i = walk.pop()!;
    for (const j of feeders[i]!)
      if (!alive[j]) {
        alive[j] = 1;
        walk.push(j);
      }
  }
  const live = order.filter((id) => alive[index.get(id)!] === 1);

  const edgeShapes = new Map<string, Shape>();
  for (let k = 0; k < validEdges.length; k++) {
    const s = outShapes[topoEdges[2 * k]!];
    if (s) edgeShapes.set(validEdges[k]!.id, s);
  }

  let params = 0;
  let trainable = 0;
  let flops = 0;
  const nodes = new Map<string, NodeReport>();
  for (const r of reps) {
    params += r.params?.total ?? 0;
    trainable += r.params?.trainable ?? 0;
    flops += r.flops ?? 0;
    if (r.issues === NO_ISSUES) r.issues = [];
    nodes.set(r.id, r);
  }
  const errors = issues.filter((i) => i.severity === 'error').length;
  return {
    order,
    nodes,
    edgeShapes,
    issues,
    errors,
    warnings: issues.length - errors,
    valid: errors === 0 && N > 0,
    totals: { params, trainable, nonTrainable: params - trainable, flops },
    inputs: inputs.filter((id) => alive[index.get(id)!] === 1),
    outputs,
    live,
  };
}
