/**
 * Direct manipulation, as pure functions from a graph to the next one: a layer dropped on an edge is
 * inserted into it, one dropped on a node with a free output is appended to it, and a node deleted
 * from a chain has its neighbours joined. Each is checked: when it would break the graph (a shape that
 * does not fit), the result is a refusal saying why, and the graph stays as it was.
 */
import type { Edge } from '@xyflow/react';
import { checkGraph, formatIssue, type GraphIssue, type GraphReport } from '../../shared/graph/check';
import { type LayerKind, layerSpec } from '../../shared/layers/index';
import { edgeIds, hasOutputPort, type LayerNodeT, NODE_H, NODE_W, nextId, toGraph } from './graph';
import { type Graph, newLayer, withInsertedBefore } from './graphEdits';

export type Outcome = { graph: Graph; id?: string; notice?: string } | { refused: string } | null;

/** How far (flow units) from an edge's line a drop still lands on it. */
const EDGE_REACH = 24;
const APPEND_GAP = 50;

const report = (g: Graph): GraphReport => checkGraph(toGraph(g.nodes, g.edges));
const size = (n: LayerNodeT) => ({ w: n.measured?.width ?? NODE_W, h: n.measured?.height ?? NODE_H });

/** The errors an edit adds (ones the graph did not have before), as text. */
function newErrors(before: Graph, after: Graph, fresh?: string): string[] {
  // A merge layer dropped on an edge waits for its other inputs: its open ports (and what they
  // leave unknown downstream) are the next step, not a reason to refuse.
  const waiting = (i: GraphIssue) =>
    fresh !== undefined && (i.code === 'upstream' || (i.code === 'port-unconnected' && i.nodeId === fresh));
  const old = new Set(
    report(before)
      .issues.filter((i) => i.severity === 'error')
      .map(formatIssue),
  );
  return report(after)
    .issues.filter((i) => i.severity === 'error' && !old.has(formatIssue(i)) && !waiting(i))
    .map((i) => i.message);
}

/** Distance from p to the segment a–b. */
function toSegment(p: { x: number; y: number }, a: { x: number; y: number }, b: { x: number; y: number }) {
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  const t =
    dx || dy ? Math.max(0, Math.min(1, ((p.x - a.x) * dx + (p.y - a.y) * dy) / (dx * dx + dy * dy))) : 0;
  return Math.hypot(p.x - (a.x + t * dx), p.y - (a.y + t * dy));
}

/** The edge whose line (source's output to target's input) passes within reach of `at`. */
export function edgeAt(
  { nodes, edges }: Graph,
  at: { x: number; y: number },
  across = false,
): Edge | undefined {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  let best: { e: Edge; d: number } | undefined;
  for (const e of edges) {
    const s = byId.get(e.source);
    const t = byId.get(e.target);
    if (!s || !t) continue;
    const [ss, ts] = [size(s), size(t)];
    const a = across
      ? { x: s.position.x + ss.w, y: s.position.y + ss.h / 2 }
      : { x: s.position.x + ss.w / 2, y: s.position.y + ss.h };
    const b = across
      ? { x: t.position.x, y: t.position.y + ts.h / 2 }
      : { x: t.position.x + ts.w / 2, y: t.position.y };
    const d = toSegment(at, a, b);
    if (d <= EDGE_REACH && (!best || d < best.d)) best = { e, d };
  }
  return best?.e;
}

/** The node under `at`, if any. */
export function nodeAt({ nodes }: Graph, at: { x: number; y: number }): LayerNodeT | undefined {
  return nodes.find((n) => {
    const { w, h } = size(n);
    return (
      at.x >= n.position.x && at.x <= n.position.x + w && at.y >= n.position.y && at.y <= n.position.y + h
    );
  });
}

const label = (kind: LayerKind) => layerSpec(kind).label;

/** `kind` inserted into `edge` (placed below its source; the nodes under it move down). */
export function withDroppedOnEdge(g: Graph, edge: Edge, kind: LayerKind): Outcome {
  const next = withInsertedBefore(g, edge.target, edge.targetHandle ?? 'in', kind, {});
  if (!next) return null;
  const id = next.nodes.find((n) => !g.nodes.some((m) => m.id === n.id))!.id;
  const problems = newErrors(g, next, id);
  if (problems.length)
    return {
      refused: `${label(kind)} cannot go between ${edge.source} and ${edge.target}: ${problems[0]}`,
    };
  const open = report({ nodes: next.nodes, edges: next.edges })
    .issues.filter((i) => i.code === 'port-unconnected' && i.nodeId === id)
    .map((i) => i.port);
  return {
    graph: next,
    id,
    notice:
      `Inserted ${label(kind)} between ${edge.source} and ${edge.target}.` +
      (open.length ? ` Connect its ${open.join(', ')}.` : ''),
  };
}

/** `kind` appended after `node`, whose output is free (nothing reads it yet). */
export function withAppended(g: Graph, node: LayerNodeT, kind: LayerKind): Outcome {
  if (!hasOutputPort(node.data.kind) || g.edges.some((e) => e.source === node.id)) return null;
  const id = nextId(kind, g.nodes);
  const { h } = size(node);
  const created = newLayer(id, kind, { x: node.position.x, y: node.position.y + h + APPEND_GAP }, {});
  const next: Graph = {
    nodes: [
      ...g.nodes.map((n) => (n.selected ? { ...n, selected: false } : n)),
      { ...created, selected: true },
    ],
    edges: [
      ...g.edges,
      {
        id: edgeIds(g.edges)(),
        source: node.id,
        target: id,
        sourceHandle: 'out',
        targetHandle: 'in',
        type: 'shape',
      },
    ],
  };
  const problems = newErrors(g, next);
  // A new node's own "nothing reads my output" is expected; shape errors are not.
  const real = problems.filter((m) => !/output is not used|is not connected to an Output/i.test(m));
  if (real.length) return { refused: `${label(kind)} cannot follow ${node.id}: ${real[0]}` };
  return { graph: next, id, notice: `Appended ${label(kind)} after ${node.id}.` };
}

/**
 * The selection deleted; when it is one node in a chain (one input, on `in`), its input is joined to
 * what it fed, if the shapes allow (else it is deleted and the gap left, with the reason).
 */
export function withoutSelection({ nodes, edges }: Graph): Outcome {
  const gone = new Set(nodes.filter((n) => n.selected).map((n) => n.id));
  const keptEdges = edges.filter((e) => !e.selected && !gone.has(e.source) && !gone.has(e.target));
  if (gone.size === 0 && keptEdges.length === edges.length) return null;
  const plain: Graph = { nodes: nodes.filter((n) => !gone.has(n.id)), edges: keptEdges };
  const [only] = gone;
  if (gone.size !== 1 || only === undefined || edges.some((e) => e.selected)) return { graph: plain };
  const into = edges.filter((e) => e.target === only);
  const out = edges.filter((e) => e.source === only);
  const src = into[0];
  if (into.length !== 1 || (src?.targetHandle ?? 'in') !== 'in' || out.length === 0 || !src)
    return { graph: plain };
  const fresh = edgeIds(edges);
  const joined: Graph = {
    nodes: plain.nodes,
    edges: [...keptEdges, ...out.map((e) => ({ ...e, id: fresh(), source: src.source, selected: false }))],
  };
  const problems = newErrors({ nodes, edges }, joined);
  if (problems.length)
    return {
      graph: plain,
      notice: `Deleted ${only}; ${src.source} was not joined to ${out.map((e) => e.target).join(', ')}: ${problems[0]}`,
    };
  return {
    graph: joined,
    notice: `Deleted ${only} and joined ${src.source} to ${out.map((e) => e.target).join(', ')}.`,
  };
}
