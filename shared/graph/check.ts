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
import { topoOrder } from './topo';

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

export function checkGraph(graph: CheckGraph): GraphReport {
  const issues: GraphIssue[] = [];
  const nodes = new Map<string, CheckNode>();
  const reports = new Map<string, NodeReport>();
  const add = (issue: GraphIssue) => {
    issues.push(issue);
    if (issue.nodeId) reports.get(issue.nodeId)?.issues.push(issue);
  };

  for (const n of graph.nodes) {
    if (nodes.has(n.id)) {
      add({
        severity: 'error',
        code: 'duplicate-id',
        message: `Two nodes share the id "${n.id}"; ids must be unique.`,
      });
      continue;
    }
    nodes.set(n.id, n);
    reports.set(n.id, {
      id: n.id,
      kind: n.kind,
      inputShapes: [],
      outputShape: undefined,
      params: undefined,
      flops: undefined,
      issues: [],
    });
  }

  // Parameters and ports per node.
  const configs = new Map<string, ConfigOf<ParamSpecs>>();
  const ports = new Map<string, readonly PortSpec[]>();
  const specs = new Map<string, AnyLayerSpec>();
  for (const n of nodes.values()) {
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
    specs.set(n.id, spec);
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
    configs.set(n.id, res.config);
    ports.set(n.id, spec.ports(res.config));
  }

  // Edges: endpoints, ports, one edge per input port.
  const incoming = new Map<string, Map<string, CheckEdge[]>>();
  const outgoing = new Map<string, CheckEdge[]>();
  const validEdges: CheckEdge[] = [];
  for (const e of graph.edges) {
    const s = nodes.get(e.source);
    const t = nodes.get(e.target);
    if (!s || !t) {
      add({
        severity: 'error',
        code: 'dangling-edge',
        edgeId: e.id,
        message: `Edge ${e.id} connects ${s ? '' : `a missing node "${e.source}"`}${!s && !t ? ' and ' : ''}${t ? '' : `a missing node "${e.target}"`}. Delete the edge.`,
      });
      continue;
    }
    if (e.source === e.target) {
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
    const tp = ports.get(t.id);
    if (tp && !tp.some((p) => p.name === e.targetPort)) {
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
    validEdges.push(e);
    let byPort = incoming.get(t.id);
    if (!byPort) incoming.set(t.id, (byPort = new Map()));
    const list = byPort.get(e.targetPort);
    if (list) list.push(e);
    else byPort.set(e.targetPort, [e]);
    const outs = outgoing.get(s.id);
    if (outs) outs.push(e);
    else outgoing.set(s.id, [e]);
  }

  for (const [nodeId, byPort] of incoming) {
    for (const [port, list] of byPort) {
      if (list.length > 1) {
        const n = nodes.get(nodeId)!;
        add({
          severity: 'error',
          code: 'port-multiple',
          nodeId,
          kind: n.kind,
          port,
          message: `Port ${port} has ${list.length} incoming edges (from ${list.map((e) => e.source).join(', ')}); an input port takes one. To combine tensors, insert an Add or a Concatenate.`,
        });
      }
    }
  }

  // Topological order over the valid edges.
  const { order, cycle } = topoOrder([...nodes.keys()], validEdges);
  if (cycle && cycle.length > 0) {
    const first = nodes.get(cycle[0]!)!;
    add({
      severity: 'error',
      code: 'cycle',
      nodeId: first.id,
      kind: first.kind,
      message: `The graph has a cycle: ${[...cycle, cycle[0]].join(' → ')}. A feed-forward network cannot feed a layer its own output; remove one of these edges (for memory over time, use an LSTM, GRU or SimpleRNN layer).`,
    });
  }

  // Shape inference in order.
  const outShapes = new Map<string, Shape>();
  for (const id of order) {
    const n = nodes.get(id)!;
    const spec = specs.get(id);
    const cfg = configs.get(id);
    const rep = reports.get(id)!;
    if (!spec || !cfg) continue;
    const portList = ports.get(id)!;
    const byPort = incoming.get(id);
    const shapes: (Shape | undefined)[] = [];
    let blocked = false;
    let resolved: Map<string, Shape | undefined> | undefined;
    for (const port of portList) {
      const edges = byPort?.get(port.name);
      let shape: Shape | undefined;
      if (!edges || edges.length === 0) {
        if (port.fallback !== undefined) {
          shape = resolved?.get(port.fallback);
          if (shape === undefined) blocked = true;
        } else {
          add({
            severity: 'error',
            code: 'port-unconnected',
            nodeId: id,
            kind: n.kind,
            port: port.name,
            message: `Input port ${port.name} of ${describeNode(n)} is not connected. Connect a layer's output to it.`,
          });
          blocked = true;
        }
      } else if (edges.length > 1) {
        blocked = true;
      } else {
        shape = outShapes.get(edges[0]!.source);
        if (shape === undefined) blocked = true;
      }
      if (portList.length > 1) (resolved ??= new Map()).set(port.name, shape);
      shapes.push(shape);
    }
    rep.inputShapes = shapes;
    if (blocked) continue;
    const inputShapes = shapes as Shape[];
    try {
      const out = spec.outputShape(inputShapes, cfg);
      rep.outputShape = out;
      outShapes.set(id, out);
      rep.params = paramCount(spec.weights(inputShapes, cfg));
      rep.flops = spec.flops(inputShapes, out, cfg);
    } catch (err) {
      if (!(err instanceof LayerShapeError)) throw err;
      const issue: GraphIssue = {
        severity: 'error',
        code: 'shape',
        nodeId: id,
        kind: n.kind,
        message: err.message,
      };
      if (err.port) issue.port = err.port;
      const fix = err.fix && err.port ? toFix(err.fix, id, err.port) : undefined;
      if (fix) issue.fix = fix;
      else if (n.kind === 'Output') {
        const f = flattenFixForOutput(id);
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
  function flattenFixForOutput(outputId: string): GraphFix | undefined {
    let cur = incoming.get(outputId)?.get('in')?.[0]?.source;
    let candidate: string | undefined;
    while (cur !== undefined) {
      const node = nodes.get(cur);
      if (!node || !LAST_AXIS_KINDS.has(node.kind)) break;
      const input = reports.get(cur)?.inputShapes[0];
      if (node.kind === 'Dense' && input && input.length > 2) candidate = cur;
      cur = incoming.get(cur)?.get('in')?.[0]?.source;
    }
    if (candidate === undefined) return undefined;
    return {
      label: `Insert a Flatten before ${candidate}`,
      insert: { kind: 'Flatten', params: {} },
      before: { nodeId: candidate, port: 'in' },
    };
  }

  // Upstream errors: nodes that could not be inferred because something before them failed get no
  // issue of their own (the first error is the one to fix), but an Output that has no shape does.
  // Loss sanity: softmax over one unit, or a loss that does not fit the activation.
  for (const n of nodes.values()) {
    if (n.kind !== 'Output') continue;
    const cfg = configs.get(n.id);
    const src = incoming.get(n.id)?.get('in')?.[0]?.source;
    if (!cfg || !src) continue;
    const act = finalActivation(src);
    const target = cfg.targetShape as readonly (number | null)[];
    const loss = cfg.loss as string;
    const units = target.length === 1 ? target[0] : undefined;
    if (act === 'softmax' && units === 1) {
      add({
        severity: 'error',
        code: 'loss',
        nodeId: n.id,
        kind: n.kind,
        message: `Softmax over a single unit always outputs 1, so the network cannot learn. For a yes/no target use a sigmoid activation (binary cross-entropy); for several classes set the target shape to the number of classes.`,
      });
    } else if (loss === 'binaryCrossentropy' && act !== 'sigmoid') {
      add({
        severity: 'warning',
        code: 'loss',
        nodeId: n.id,
        kind: n.kind,
        message: `Binary cross-entropy expects probabilities from a sigmoid; the last activation here is ${act ?? 'linear'}.`,
      });
    } else if (
      (loss === 'categoricalCrossentropy' || loss === 'sparseCategoricalCrossentropy') &&
      act !== 'softmax'
    ) {
      add({
        severity: 'warning',
        code: 'loss',
        nodeId: n.id,
        kind: n.kind,
        message: `Categorical cross-entropy expects probabilities from a softmax; the last activation here is ${act ?? 'linear'}. Add an Activation (softmax) before the Output.`,
      });
    }
  }

  function finalActivation(id: string): string | undefined {
    let cur: string | undefined = id;
    for (let guard = 0; cur !== undefined && guard < 64; guard++) {
      const node = nodes.get(cur);
      const cfg = configs.get(cur);
      if (!node || !cfg) return undefined;
      if (node.kind === 'Activation') return cfg.fn as string;
      if (
        node.kind === 'Dense' ||
        node.kind === 'Conv1D' ||
        node.kind === 'Conv2D' ||
        node.kind === 'Conv2DTranspose'
      )
        return cfg.activation as string;
      if (node.kind !== 'Dropout' && node.kind !== 'Flatten' && node.kind !== 'Reshape') return undefined;
      cur = incoming.get(cur)?.get('in')?.[0]?.source;
    }
    return undefined;
  }

  // Whole-graph checks.
  const inputs = [...nodes.values()].filter((n) => n.kind === 'Input').map((n) => n.id);
  const outputs = [...nodes.values()].filter((n) => n.kind === 'Output').map((n) => n.id);
  if (nodes.size > 0 && inputs.length === 0)
    add({
      severity: 'error',
      code: 'no-input',
      message: 'The graph has no Input node. Add one from the palette (Input & output).',
    });
  if (nodes.size > 0 && outputs.length === 0)
    add({
      severity: 'error',
      code: 'no-output',
      message:
        'The graph has no Output node. Add one after the last layer so training knows what to predict.',
    });
  for (const n of nodes.values()) {
    if (n.kind === 'Output' || !specs.has(n.id)) continue;
    if (!outgoing.has(n.id))
      add({
        severity: 'warning',
        code: 'unused',
        nodeId: n.id,
        kind: n.kind,
        message: `The output of ${describeNode(n)} is not used. Connect it onward or delete it.`,
      });
  }

  const edgeShapes = new Map<string, Shape>();
  for (const e of validEdges) {
    const s = outShapes.get(e.source);
    if (s) edgeShapes.set(e.id, s);
  }

  let params = 0;
  let trainable = 0;
  let flops = 0;
  for (const r of reports.values()) {
    params += r.params?.total ?? 0;
    trainable += r.params?.trainable ?? 0;
    flops += r.flops ?? 0;
  }
  const errors = issues.filter((i) => i.severity === 'error').length;
  return {
    order,
    nodes: reports,
    edgeShapes,
    issues,
    errors,
    warnings: issues.length - errors,
    valid: errors === 0 && nodes.size > 0,
    totals: { params, trainable, nonTrainable: params - trainable, flops },
    inputs,
    outputs,
  };
}
