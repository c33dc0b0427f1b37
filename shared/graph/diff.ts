/**
 * What changed from one graph to another (`netloom diff`, the editor's diff view): nodes added,
 * removed and changed, matched by id; for a changed node each parameter that differs, with both
 * values; edges added and removed; and the change in the parameter count. A node whose id stays but
 * whose kind changes is a different layer: removed and added. Positions are not changes.
 */
import { defaultParams } from '../layers/params';
import { isLayerKind, layerSpec } from '../layers/index';
import { checkGraph, type CheckGraph } from './check';

type Value = unknown;

export interface NodeChange {
  id: string;
  kind: string;
  /** Parameter name → [old, new] (absent on one side: `null`). */
  params: Record<string, [Value, Value]>;
}

export interface GraphDiff {
  /** Ids of the nodes only the new graph has. */
  added: string[];
  /** Ids of the nodes only the old graph has. */
  removed: string[];
  changed: NodeChange[];
  /** The kind of every added (new kind), removed (old kind) and changed node. */
  kinds: Record<string, string>;
  /** Connections, as `source → target.port`. */
  edges: { added: string[]; removed: string[] };
  /** Trainable and non-trainable parameters of each side, and the difference (new − old). */
  paramsBefore: number;
  paramsAfter: number;
  paramsDelta: number;
}

const edgeText = (e: CheckGraph['edges'][number]) => `${e.source} → ${e.target}.${e.targetPort}`;

/** A node's parameters with its kind's defaults filled in (a file may leave defaults out). */
const fullParams = (n: CheckGraph['nodes'][number]): Record<string, Value> =>
  isLayerKind(n.kind) ? { ...defaultParams(layerSpec(n.kind)), ...n.params } : { ...n.params };

/** A parameter's value compared by content (shapes are arrays). */
const same = (a: Value, b: Value) => JSON.stringify(a) === JSON.stringify(b);

/** The parameter count of a graph (0 when it has none to count). */
const paramCount = (g: CheckGraph) => checkGraph(g).totals.params;

export function diffGraphs(before: CheckGraph, after: CheckGraph): GraphDiff {
  const old = new Map(before.nodes.map((n) => [n.id, n]));
  const now = new Map(after.nodes.map((n) => [n.id, n]));
  const added: string[] = [];
  const removed: string[] = [];
  const changed: NodeChange[] = [];
  const kinds: Record<string, string> = {};
  for (const n of before.nodes) {
    const m = now.get(n.id);
    if (!m || m.kind !== n.kind) {
      removed.push(n.id);
      kinds[n.id] = n.kind;
    }
  }
  for (const m of after.nodes) {
    const n = old.get(m.id);
    if (!n || n.kind !== m.kind) {
      added.push(m.id);
      kinds[m.id] = m.kind;
      continue;
    }
    const params: NodeChange['params'] = {};
    const [pa, pb] = [fullParams(n), fullParams(m)];
    for (const name of new Set([...Object.keys(pa), ...Object.keys(pb)])) {
      const a = pa[name] ?? null;
      const b = pb[name] ?? null;
      if (!same(a, b)) params[name] = [a, b];
    }
    const inside = m.kind === 'Block' ? changeInside(before, after, n.params.block, m.params.block) : null;
    if (inside) params.inside = [null, inside];
    if (Object.keys(params).length > 0) {
      changed.push({ id: m.id, kind: m.kind, params });
      kinds[m.id] = m.kind;
    }
  }
  const oldEdges = new Set(before.edges.map(edgeText));
  const newEdges = new Set(after.edges.map(edgeText));
  const paramsBefore = paramCount(before);
  const paramsAfter = paramCount(after);
  return {
    added,
    removed,
    changed,
    kinds,
    edges: {
      added: [...newEdges].filter((e) => !oldEdges.has(e)),
      removed: [...oldEdges].filter((e) => !newEdges.has(e)),
    },
    paramsBefore,
    paramsAfter,
    paramsDelta: paramsAfter - paramsBefore,
  };
}

/**
 * What changed inside a Block node's definition between two graphs (its layers and wiring, in
 * words), or null when nothing did.
 */
function changeInside(
  before: CheckGraph,
  after: CheckGraph,
  a: unknown,
  b: unknown,
  depth = 0,
): string | null {
  const defA = before.blocks?.find((x) => x.id === a);
  const defB = after.blocks?.find((x) => x.id === b);
  if (!defA || !defB || depth > 8) return null;
  const d = diffGraphs(
    { nodes: defA.nodes, edges: defA.edges, blocks: before.blocks },
    { nodes: defB.nodes, edges: defB.edges, blocks: after.blocks },
  );
  if (isEmptyDiff(d)) return null;
  return formatDiff(d)
    .filter((l) => !l.startsWith('Parameters:'))
    .join('; ');
}

/** Whether two graphs are the same network (positions aside). */
export const isEmptyDiff = (d: GraphDiff): boolean =>
  d.added.length + d.removed.length + d.changed.length + d.edges.added.length + d.edges.removed.length === 0;

const show = (v: Value) => (v === null ? '(none)' : typeof v === 'string' ? v : JSON.stringify(v));

/** The diff as lines of text: `+` added, `-` removed, `~` changed, then edges and the parameter count. */
export function formatDiff(d: GraphDiff): string[] {
  const lines: string[] = [];
  for (const id of d.added) lines.push(`+ ${id} (${d.kinds[id]})`);
  for (const id of d.removed) lines.push(`- ${id} (${d.kinds[id]})`);
  for (const c of d.changed)
    lines.push(
      `~ ${c.id} (${c.kind}): ${Object.entries(c.params)
        .map(([k, [a, b]]) =>
          k === 'inside' && a === null ? `inside: ${show(b)}` : `${k} ${show(a)} → ${show(b)}`,
        )
        .join(', ')}`,
    );
  for (const e of d.edges.added) lines.push(`+ edge ${e}`);
  for (const e of d.edges.removed) lines.push(`- edge ${e}`);
  if (isEmptyDiff(d)) lines.push('No differences in the network (node positions aside).');
  const sign = d.paramsDelta > 0 ? '+' : d.paramsDelta < 0 ? '−' : '±';
  lines.push(
    `Parameters: ${d.paramsBefore.toLocaleString('en-US')} → ${d.paramsAfter.toLocaleString('en-US')} (${sign}${Math.abs(d.paramsDelta).toLocaleString('en-US')})`,
  );
  return lines;
}
