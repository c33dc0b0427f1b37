/**
 * The graph as the editor holds it (React Flow nodes and edges) and the pure functions on it:
 * conversion to and from the project's graph, the connection rules, and the comparison undo uses.
 * Nothing here touches the store; the slices call these.
 */
import type { Edge, Node } from '@xyflow/react';
import {
  BLOCK_INPUT,
  BLOCK_KIND,
  BLOCK_OUTPUT,
  type BlockDef,
  type GraphNode,
  type ParamValue,
  type Project,
} from '../../shared/ir/schema';
import { isLayerKind, type LayerKind, layerSpec } from '../../shared/layers/index';

/** What a canvas node is: a layer, a Block node, or (inside an open block) one of its ports. */
export type NodeKind = LayerKind | typeof BLOCK_KIND | typeof BLOCK_INPUT | typeof BLOCK_OUTPUT;
export const isNodeKind = (k: string): k is NodeKind =>
  isLayerKind(k) || k === BLOCK_KIND || k === BLOCK_INPUT || k === BLOCK_OUTPUT;

export interface LayerData extends Record<string, unknown> {
  kind: NodeKind;
  params: Record<string, ParamValue>;
  name?: string;
}
export type LayerNodeT = Node<LayerData, 'layer' | 'block' | 'port'>;

/** Whether a node of `kind` has an output port. */
export const hasOutputPort = (kind: NodeKind): boolean =>
  isLayerKind(kind) ? layerSpec(kind).hasOutput !== false : kind !== BLOCK_OUTPUT;

/** The name of a node's kind as the editor shows it. */
export const kindLabel = (kind: NodeKind): string =>
  isLayerKind(kind)
    ? layerSpec(kind).label
    : kind === BLOCK_KIND
      ? 'Block'
      : kind === BLOCK_INPUT
        ? 'Block input'
        : 'Block output';

/** The React Flow node type that draws a node of `kind`. */
export const nodeTypeOf = (kind: NodeKind): 'layer' | 'block' | 'port' =>
  kind === BLOCK_KIND ? 'block' : kind === BLOCK_INPUT || kind === BLOCK_OUTPUT ? 'port' : 'layer';

/**
 * Inside an open block the canvas shows the block's definition; the graph around it waits here.
 * `block`: the definition's id.
 */
export interface Scope {
  block: string;
  outer: { nodes: LayerNodeT[]; edges: Edge[] };
  /** The block this one was opened from (blocks inside blocks), or null for the graph itself. */
  parent: Scope | null;
}

/** The project's name, format and training config: user edits, undoable. */
export type ProjectMeta = Omit<Project, 'graph' | 'data' | 'runs'>;

/** What undo/redo records: the graph and the project's settings. */
export interface Tracked {
  nodes: LayerNodeT[];
  edges: Edge[];
  meta: ProjectMeta;
  /** Block definitions (the open one's content is `nodes`/`edges` while open). */
  blocks: BlockDef[];
  scope: Scope | null;
}

export const NODE_W = 220;
export const NODE_H = 96;

/** The first free id of the form `kind_N`. */
export function nextId(kind: string, nodes: readonly { id: string }[]): string {
  const base = kind.toLowerCase();
  const used = new Set(nodes.map((n) => n.id));
  let i = 1;
  while (used.has(`${base}_${i}`)) i++;
  return `${base}_${i}`;
}

/** A generator of edge ids `eN`, from N = edges + 1 on, skipping ids in use. */
export function edgeIds(...taken: readonly (readonly Edge[])[]): () => string {
  let k = (taken[0]?.length ?? 0) + 1;
  return () => {
    while (taken.some((list) => list.some((e) => e.id === `e${k}`))) k++;
    return `e${k++}`;
  };
}

export function toGraph(nodes: readonly LayerNodeT[], edges: readonly Edge[]): Project['graph'] {
  return {
    nodes: nodes.map((n) => {
      const g: GraphNode = {
        id: n.id,
        kind: n.data.kind,
        params: n.data.params,
        position: { x: Math.round(n.position.x * 100) / 100, y: Math.round(n.position.y * 100) / 100 },
      };
      if (n.data.name) g.name = n.data.name;
      return g;
    }),
    edges: edges.map((e) => ({
      id: e.id,
      source: e.source,
      target: e.target,
      targetPort: e.targetHandle ?? 'in',
    })),
  };
}

/** The whole project graph: the canvas, or (inside an open block) the graph around it, and the blocks. */
export function wholeGraph(s: Pick<Tracked, 'nodes' | 'edges' | 'blocks' | 'scope'>): Project['graph'] {
  if (!s.scope) {
    const g = toGraph(s.nodes, s.edges);
    return s.blocks.length ? { ...g, blocks: s.blocks } : g;
  }
  // From the open block out: each level's canvas is the content of the block opened from it.
  let blocks = s.blocks;
  let inner = toGraph(s.nodes, s.edges);
  for (let scope: Scope | null = s.scope; scope; scope = scope.parent) {
    const open = scope.block;
    const content = inner;
    blocks = blocks.map((b) => (b.id === open ? { ...b, nodes: content.nodes, edges: content.edges } : b));
    inner = toGraph(scope.outer.nodes, scope.outer.edges);
  }
  return { ...inner, blocks };
}

export function fromGraph(graph: Pick<Project['graph'], 'nodes' | 'edges'>): {
  nodes: LayerNodeT[];
  edges: Edge[];
} {
  return {
    nodes: graph.nodes.flatMap((n) =>
      isNodeKind(n.kind)
        ? [
            {
              id: n.id,
              type: nodeTypeOf(n.kind),
              position: { ...n.position },
              data: { kind: n.kind, params: { ...n.params }, ...(n.name ? { name: n.name } : {}) },
            },
          ]
        : [],
    ),
    edges: graph.edges.map((e) => ({
      id: e.id,
      source: e.source,
      target: e.target,
      sourceHandle: 'out',
      targetHandle: e.targetPort,
      type: 'shape',
    })),
  };
}

/** Would an edge source -> target close a cycle? */
function reaches(edges: readonly Edge[], from: string, to: string): boolean {
  const out = new Map<string, string[]>();
  for (const e of edges) (out.get(e.source) ?? out.set(e.source, []).get(e.source)!).push(e.target);
  const stack = [from];
  const seen = new Set<string>();
  while (stack.length) {
    const n = stack.pop()!;
    if (n === to) return true;
    if (seen.has(n)) continue;
    seen.add(n);
    stack.push(...(out.get(n) ?? []));
  }
  return false;
}

/** Why a connection cannot work, or null when it can. Shape problems are allowed (the checker shows them). */
export function connectionProblem(
  nodes: readonly LayerNodeT[],
  edges: readonly Edge[],
  c: { source: string | null; target: string | null; targetHandle?: string | null },
): string | null {
  if (!c.source || !c.target) return 'Drop the connection on an input port.';
  if (c.source === c.target) return 'A layer cannot take its own output as input.';
  const src = nodes.find((n) => n.id === c.source);
  const dst = nodes.find((n) => n.id === c.target);
  if (!src || !dst) return 'That node no longer exists.';
  if (src.data.kind === 'Output') return 'An Output ends the network; it has no outgoing tensor.';
  if (dst.data.kind === 'Input') return 'An Input has no input port: data enters the network there.';
  const port = c.targetHandle ?? 'in';
  if (edges.some((e) => e.target === c.target && (e.targetHandle ?? 'in') === port))
    return `Port ${port} of ${c.target} is already connected. Delete that edge first, or use an Add or Concatenate to combine tensors.`;
  if (edges.some((e) => e.source === c.source && e.target === c.target && (e.targetHandle ?? 'in') === port))
    return 'These two ports are already connected.';
  if (reaches(edges, c.target, c.source))
    return `Connecting ${c.source} → ${c.target} would make a cycle: ${c.target} already feeds ${c.source}. For memory over time use an LSTM, GRU or SimpleRNN.`;
  return null;
}

/** Same edges for the checker and for undo: ids and wiring (not selection). */
export function sameWiring(a: readonly Edge[], b: readonly Edge[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x.id !== y.id || x.source !== y.source || x.target !== y.target || x.targetHandle !== y.targetHandle)
      return false;
  }
  return true;
}

/** Compares what undo cares about: ids, positions, data and wiring; not selection or measurements. */
export function sameTracked(a: Tracked, b: Tracked): boolean {
  // Most sets change no tracked state at all (training progress, notices, dialogs): O(1) for them.
  if (
    a.nodes === b.nodes &&
    a.edges === b.edges &&
    a.meta === b.meta &&
    a.blocks === b.blocks &&
    a.scope === b.scope
  )
    return true;
  if (a.meta !== b.meta || a.blocks !== b.blocks || a.scope !== b.scope || a.nodes.length !== b.nodes.length)
    return false;
  for (let i = 0; i < a.nodes.length; i++) {
    const x = a.nodes[i]!;
    const y = b.nodes[i]!;
    if (x.id !== y.id || x.data !== y.data || x.position.x !== y.position.x || x.position.y !== y.position.y)
      return false;
  }
  return sameWiring(a.edges, b.edges);
}
