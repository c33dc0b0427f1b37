/**
 * The graph edits that take more than a line, as pure functions from a graph to the next one (or
 * null when there is nothing to do). The graph slice calls them and records the result as one edit.
 */
import { addEdge as rfAddEdge, type Connection, type Edge } from '@xyflow/react';
import dagre from '@dagrejs/dagre';
import type { DataSummary } from '../../shared/ipc/contract';
import type { GraphNode, ParamValue, Project } from '../../shared/ir/schema';
import { isLayerKind, type LayerKind, layerSpec } from '../../shared/layers/index';
import { defaultParams, resolveParams } from '../../shared/layers/params';
import { edgeIds, fromGraph, type LayerNodeT, NODE_H, NODE_W, nextId, toGraph } from './graph';

export interface Graph {
  nodes: LayerNodeT[];
  edges: Edge[];
}

export function newLayer(
  id: string,
  kind: LayerKind,
  position: { x: number; y: number },
  params: Record<string, unknown>,
): LayerNodeT {
  const data = {
    kind,
    params: { ...defaultParams(layerSpec(kind)), ...params } as Record<string, ParamValue>,
  };
  return { id, type: 'layer', position, data };
}

const unselected = <T extends { selected?: boolean }>(x: T): T =>
  x.selected ? { ...x, selected: false } : x;

/** A new edge for an accepted connection (see `connectionProblem`). */
export function withConnection(edges: Edge[], c: Connection): Edge[] {
  const id = edgeIds(edges)();
  return rfAddEdge(
    { ...c, id, sourceHandle: 'out', targetHandle: c.targetHandle ?? 'in', type: 'shape' },
    edges,
  );
}

/** New params for a node; edges into ports that no longer exist (Add's number of inputs) go. */
export function withParams(g: Graph, id: string, params: Record<string, ParamValue>): Graph | null {
  const node = g.nodes.find((n) => n.id === id);
  if (!node) return null;
  const kind = node.data.kind;
  // A Block node's or a block port's params (repeat, the port's index) change no ports.
  if (!isLayerKind(kind))
    return {
      nodes: g.nodes.map((n) => (n.id === id ? { ...n, data: { ...n.data, params } } : n)),
      edges: g.edges,
    };
  const res = resolveParams(layerSpec(kind), params);
  if (!res.ok) return null;
  const ports = new Set(
    layerSpec(kind)
      .ports(res.config)
      .map((p) => p.name),
  );
  return {
    nodes: g.nodes.map((n) => (n.id === id ? { ...n, data: { ...n.data, params } } : n)),
    edges: g.edges.filter((e) => e.target !== id || ports.has(e.targetHandle ?? 'in')),
  };
}

/** The selected nodes and the edges between them, as clipboard text (null: nothing selected). */
export function selectionText({ nodes, edges }: Graph): string | null {
  const picked = nodes.filter((n) => n.selected);
  if (picked.length === 0) return null;
  const ids = new Set(picked.map((n) => n.id));
  const graph = toGraph(
    picked,
    edges.filter((e) => ids.has(e.source) && ids.has(e.target)),
  );
  return JSON.stringify({ netloom: 'nodes', version: 1, ...graph });
}

/** Clipboard text as a graph, or null when it is not Netloom nodes. */
function parseNodes(text: string): Graph | null {
  let data: { netloom?: unknown; nodes?: unknown; edges?: unknown };
  try {
    data = JSON.parse(text) as typeof data;
  } catch {
    return null;
  }
  if (data.netloom !== 'nodes' || !Array.isArray(data.nodes) || !Array.isArray(data.edges)) return null;
  const incoming = fromGraph({
    nodes: (data.nodes as GraphNode[]).filter(
      (n) => n && typeof n.id === 'string' && isLayerKind(n.kind) && n.params && n.position,
    ),
    edges: (data.edges as Project['graph']['edges']).filter((e) => e && typeof e.source === 'string'),
  });
  return incoming.nodes.length === 0 ? null : incoming;
}

/** Pasted nodes get fresh ids, keep their wiring, move by 40 px (or to `at`) and are the selection. */
export function withPasted(g: Graph, text: string, at?: { x: number; y: number }): Graph | null {
  const incoming = parseNodes(text);
  if (!incoming) return null;
  const rename = new Map<string, string>();
  const all = [...g.nodes];
  for (const n of incoming.nodes) {
    const id = nextId(n.data.kind, all);
    rename.set(n.id, id);
    all.push({ ...n, id });
  }
  const minX = Math.min(...incoming.nodes.map((n) => n.position.x));
  const minY = Math.min(...incoming.nodes.map((n) => n.position.y));
  const dx = at ? at.x - minX : 40;
  const dy = at ? at.y - minY : 40;
  const newNodes = incoming.nodes.map((n) => ({
    ...n,
    id: rename.get(n.id)!,
    selected: true,
    position: { x: n.position.x + dx, y: n.position.y + dy },
  }));
  const fresh = edgeIds(g.edges);
  const newEdges: Edge[] = [];
  for (const e of incoming.edges) {
    const s = rename.get(e.source);
    const t = rename.get(e.target);
    if (s && t) newEdges.push({ ...e, id: fresh(), source: s, target: t });
  }
  return {
    nodes: [...g.nodes.map(unselected), ...newNodes],
    edges: [...g.edges.map(unselected), ...newEdges],
  };
}

/** A new layer between `port` of `nodeId` and what fed it; the nodes below make room. */
/** Space between a node inserted by a fix and its neighbours. */
const INSERT_GAP = 30;

export function withInsertedBefore(
  { nodes, edges }: Graph,
  nodeId: string,
  port: string,
  kind: LayerKind,
  params: Record<string, unknown>,
): Graph | null {
  const target = nodes.find((n) => n.id === nodeId);
  if (!target) return null;
  const incomingEdge = edges.find((e) => e.target === nodeId && (e.targetHandle ?? 'in') === port);
  const id = nextId(kind, nodes);
  const source = incomingEdge ? nodes.find((n) => n.id === incomingEdge.source) : undefined;
  // The new node goes just below its source (else where the target is), in the target's column;
  // every node from there down moves down by what the new node needs, so it overlaps nothing
  // (sizes as measured on the canvas).
  const height = (n: LayerNodeT) => n.measured?.height ?? NODE_H;
  const top = source ? source.position.y + height(source) + INSERT_GAP : target.position.y;
  const position = { x: target.position.x, y: top };
  // Everything from the new node's top (or the target, if higher) down moves as one, keeping its layout.
  const from = Math.min(top, target.position.y);
  const below = nodes.filter((n) => n.position.y >= from);
  const first = Math.min(...below.map((n) => n.position.y));
  const shift = Math.max(0, top + NODE_H + INSERT_GAP - first);
  const moved = nodes.map((n) =>
    n.position.y >= from ? { ...n, position: { ...n.position, y: n.position.y + shift } } : n,
  );
  const fresh = edgeIds(edges);
  const rest = edges.filter((e) => e !== incomingEdge);
  const added: Edge[] = [
    { id: fresh(), source: id, target: nodeId, sourceHandle: 'out', targetHandle: port, type: 'shape' },
  ];
  // The tensor enters the new layer's first port (in1 of a merge layer, query of an attention).
  const spec = layerSpec(kind);
  const firstPort = spec.ports({ ...defaultParams(spec), ...params } as never)[0]?.name ?? 'in';
  if (incomingEdge)
    added.push({ ...incomingEdge, id: fresh(), target: id, targetHandle: firstPort, selected: false });
  return { nodes: [...moved, newLayer(id, kind, position, params)], edges: [...rest, ...added] };
}

/** Layered layout (dagre), top to bottom or left to right, by each node's measured size. */
export function laidOut({ nodes, edges }: Graph, direction: 'TB' | 'LR' = 'TB'): LayerNodeT[] {
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: direction, nodesep: 40, ranksep: direction === 'LR' ? 70 : 50 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of nodes)
    g.setNode(n.id, { width: n.measured?.width ?? NODE_W, height: n.measured?.height ?? NODE_H });
  for (const e of edges) g.setEdge(e.source, e.target);
  dagre.layout(g);
  return nodes.map((n) => {
    const p = g.node(n.id);
    const w = n.measured?.width ?? NODE_W;
    const h = n.measured?.height ?? NODE_H;
    return p ? { ...n, position: { x: Math.round(p.x - w / 2), y: Math.round(p.y - h / 2) } } : n;
  });
}

const shapeText = (shape: readonly number[]) => `[${shape.join(', ')}]`;

/**
 * The params that make the single Input and Output (and the head feeding the Output) fit the data:
 * `{ nodes }` with the changes, `{ problem }` when the graph has not exactly one of each, or null when
 * it already fits.
 */
export function fittedToData(
  { nodes, edges }: Graph,
  summary: DataSummary,
): { nodes: LayerNodeT[]; notice: string } | { problem: string } | null {
  const { inputShape, inputDtype, targetShape } = summary.suggested;
  const inputs = nodes.filter((n) => n.data.kind === 'Input');
  const outputs = nodes.filter((n) => n.data.kind === 'Output');
  const [inp] = inputs;
  const [out] = outputs;
  if (inputs.length !== 1 || outputs.length !== 1 || !inp || !out)
    return {
      problem: `The data has samples of shape ${shapeText(inputShape)} and targets of ${shapeText(targetShape)}; set the Input and Output nodes to match (this graph has ${inputs.length} Input and ${outputs.length} Output nodes).`,
    };
  const changes = new Map<string, Record<string, ParamValue>>();
  changes.set(inp.id, { ...inp.data.params, shape: inputShape, dtype: inputDtype });
  changes.set(out.id, { ...out.data.params, targetShape });
  headChanges({ nodes, edges }, out.id, summary, changes);
  const changed = [...changes].filter(
    ([id, params]) => JSON.stringify(params) !== JSON.stringify(nodes.find((n) => n.id === id)!.data.params),
  );
  if (changed.length === 0) return null;
  const next = new Map(changed);
  return {
    nodes: nodes.map((n) => (next.has(n.id) ? { ...n, data: { ...n.data, params: next.get(n.id)! } } : n)),
    notice: `Input set to ${shapeText(inputShape)} and Output to ${shapeText(targetShape)} to match ${summary.name}.`,
  };
}

/**
 * The head: the Dense that feeds the Output (through activations / dropout) gets one unit per target
 * value, and the final activation fits the task (sigmoid for yes/no, softmax for classes, linear for
 * numbers).
 */
function headChanges(
  { nodes, edges }: Graph,
  outputId: string,
  summary: DataSummary,
  changes: Map<string, Record<string, ParamValue>>,
): void {
  const units = summary.suggested.targetShape.reduce((a, d) => a * d, 1);
  const finalAct = summary.task === 'regression' ? 'linear' : units === 1 ? 'sigmoid' : 'softmax';
  let cur: string | undefined = edges.find((e) => e.target === outputId)?.source;
  let activationNode: LayerNodeT | undefined;
  for (let guard = 0; cur !== undefined && guard < 16; guard++) {
    const node = nodes.find((n) => n.id === cur);
    if (!node) break;
    if (node.data.kind === 'Activation' && !activationNode) activationNode = node;
    if (node.data.kind === 'Dense') {
      const act = activationNode ? node.data.params.activation : finalAct;
      changes.set(node.id, { ...node.data.params, units, activation: act ?? 'linear' });
      break;
    }
    if (node.data.kind !== 'Activation' && node.data.kind !== 'Dropout') break;
    cur = edges.find((e) => e.target === node.id)?.source;
  }
  if (activationNode && ['softmax', 'sigmoid', 'linear'].includes(String(activationNode.data.params.fn)))
    changes.set(activationNode.id, { ...activationNode.data.params, fn: finalAct });
}
