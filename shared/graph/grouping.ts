/**
 * Group a selection of nodes into a block, and ungroup a Block node back into its layers: pure
 * edits on the project's graph, shared by the editor (Ctrl+G) and the tests. A selection becomes a
 * block when it has at least one input (edges entering it) and exactly one node whose output leaves
 * it; the block's ports are those crossing edges, so the model it stands for is unchanged.
 */
import {
  BLOCK_INPUT,
  BLOCK_KIND,
  BLOCK_OUTPUT,
  type BlockDef,
  type Graph,
  type GraphEdge,
  type GraphNode,
} from '../ir/schema';
import { blockInputs, blockPortNames, repeatOf } from './blocks';

export type GraphEdit = { ok: true; graph: Graph; id: string } | { ok: false; reason: string };

function freeId(base: string, taken: Set<string>): string {
  let i = 1;
  while (taken.has(`${base}_${i}`)) i++;
  const id = `${base}_${i}`;
  taken.add(id);
  return id;
}

function edgeIdMaker(graph: { edges: readonly GraphEdge[] }[]): () => string {
  const taken = new Set(graph.flatMap((g) => g.edges.map((e) => e.id)));
  return () => freeId('e', taken);
}

const boundsOf = (nodes: readonly GraphNode[]) => ({
  x: Math.min(...nodes.map((n) => n.position.x)),
  y: Math.min(...nodes.map((n) => n.position.y)),
  x2: Math.max(...nodes.map((n) => n.position.x)),
  y2: Math.max(...nodes.map((n) => n.position.y)),
});

/** Groups the nodes `ids` of `graph` into a new block definition used once, in their place. */
export function groupIntoBlock(graph: Graph, ids: readonly string[], name?: string): GraphEdit {
  const sel = new Set(ids);
  const chosen = graph.nodes.filter((n) => sel.has(n.id));
  if (chosen.length === 0) return { ok: false, reason: 'Select the layers to group first.' };
  const io = chosen.filter(
    (n) => n.kind === 'Input' || n.kind === 'Output' || n.kind === BLOCK_INPUT || n.kind === BLOCK_OUTPUT,
  );
  if (io.length)
    return {
      ok: false,
      reason: `${io.map((n) => n.id).join(', ')}: Inputs, Outputs and a block's own ports stay outside a block.`,
    };
  const entering = graph.edges.filter((e) => sel.has(e.target) && !sel.has(e.source));
  const leaving = graph.edges.filter((e) => sel.has(e.source) && !sel.has(e.target));
  const sources = [...new Set(entering.map((e) => e.source))];
  // The output: the one node feeding layers outside, or (nothing wired on yet) the selection's one sink.
  const sinks = chosen.filter((n) => !graph.edges.some((e) => e.source === n.id && sel.has(e.target)));
  const feeding = [...new Set(leaving.map((e) => e.source))];
  const outs = feeding.length === 0 && sinks.length === 1 ? [sinks[0]!.id] : feeding;
  if (sources.length === 0)
    return { ok: false, reason: 'Nothing flows into the selection: a block needs an input.' };
  if (sources.length > 8) return { ok: false, reason: 'A block takes at most 8 inputs.' };
  if (outs.length !== 1)
    return {
      ok: false,
      reason:
        outs.length === 0
          ? 'The selection ends in several layers: a block gives one output.'
          : `A block gives one output, but ${outs.join(', ')} all feed layers outside the selection.`,
    };
  const blocks = graph.blocks ?? [];
  const defId = freeId('block', new Set(blocks.map((b) => b.id)));
  const names = new Set(blocks.map((b) => b.name));
  let label = name ?? `Block ${blocks.length + 1}`;
  for (let i = blocks.length + 2; names.has(label); i++) label = `Block ${i}`;
  const inner = new Set(chosen.map((n) => n.id));
  const box = boundsOf(chosen);
  const portIds = sources.map(() => freeId('in', inner));
  const outId = freeId('out', inner);
  const at = (x: number, y: number) => ({ x, y });
  const def: BlockDef = {
    id: defId,
    name: label,
    nodes: [
      ...portIds.map((id, k) => ({
        id,
        kind: BLOCK_INPUT,
        params: { index: k + 1 },
        position: at(k * 260, 0),
      })),
      ...chosen.map((n) => ({ ...n, position: at(n.position.x - box.x, n.position.y - box.y + 140) })),
      { id: outId, kind: BLOCK_OUTPUT, params: {}, position: at(0, box.y2 - box.y + 280) },
    ],
    edges: [],
  };
  const newEdge = edgeIdMaker([def]);
  def.edges.push(
    ...graph.edges.filter((e) => sel.has(e.source) && sel.has(e.target)),
    ...entering.map((e) => ({ ...e, source: portIds[sources.indexOf(e.source)]! })),
  );
  def.edges.push({ id: newEdge(), source: outs[0]!, target: outId, targetPort: 'in' });
  const instance = freeId('block', new Set(graph.nodes.map((n) => n.id)));
  const ports = blockPortNames(def);
  const nextEdge = edgeIdMaker([graph]);
  const node: GraphNode = {
    id: instance,
    kind: BLOCK_KIND,
    params: { block: defId, repeat: 1 },
    position: at((box.x + box.x2) / 2, (box.y + box.y2) / 2),
  };
  return {
    ok: true,
    id: instance,
    graph: {
      nodes: [...graph.nodes.filter((n) => !sel.has(n.id)), node],
      edges: [
        ...graph.edges.filter((e) => !sel.has(e.source) && !sel.has(e.target)),
        ...sources.map((s, k) => ({ id: nextEdge(), source: s, target: instance, targetPort: ports[k]! })),
        ...leaving.map((e) => ({ ...e, source: instance })),
      ],
      blocks: [...blocks, def],
    },
  };
}

/** Replaces the Block node `id` by its layers (every copy when repeated); an unused definition goes. */
export function ungroupBlock(graph: Graph, id: string): GraphEdit {
  const node = graph.nodes.find((n) => n.id === id);
  const def = graph.blocks?.find((b) => b.id === node?.params.block);
  if (!node || node.kind !== BLOCK_KIND || !def) return { ok: false, reason: `${id} is not a block.` };
  const repeat = repeatOf(node);
  if (!Number.isInteger(repeat) || repeat < 1)
    return { ok: false, reason: `${id}: its repeat count is not valid.` };
  const taken = new Set(graph.nodes.map((n) => n.id));
  const layers = def.nodes.filter((n) => n.kind !== BLOCK_INPUT && n.kind !== BLOCK_OUTPUT);
  const ports = blockPortNames(def);
  const inputIds = blockInputs(def).map((n) => n.id);
  const outNode = def.nodes.find((n) => n.kind === BLOCK_OUTPUT);
  const into = graph.edges.filter((e) => e.target === id);
  const nextEdge = edgeIdMaker([graph, def]);
  const box = layers.length ? boundsOf(layers) : { x: 0, y: 0, x2: 0, y2: 0 };
  const height = box.y2 - box.y + 130;
  const nodes: GraphNode[] = [];
  const edges: GraphEdge[] = [];
  let previous: string | undefined;
  for (let k = 0; k < repeat; k++) {
    const rename = new Map(
      layers.map((n) => [n.id, taken.has(n.id) ? freeId(n.id, taken) : (taken.add(n.id), n.id)]),
    );
    for (const n of layers)
      nodes.push({
        ...n,
        id: rename.get(n.id)!,
        position: {
          x: node.position.x + n.position.x - box.x,
          y: node.position.y + n.position.y - box.y + k * height,
        },
      });
    let output: string | undefined;
    for (const e of def.edges) {
      if (e.target === outNode?.id) {
        output = rename.get(e.source);
        continue;
      }
      const target = rename.get(e.target);
      if (!target) continue;
      const port = inputIds.indexOf(e.source);
      const sources =
        port < 0
          ? [rename.get(e.source)]
          : k > 0
            ? [previous]
            : into.filter((x) => x.targetPort === ports[port]).map((x) => x.source);
      for (const source of sources)
        if (source) edges.push({ id: nextEdge(), source, target, targetPort: e.targetPort });
    }
    previous = output;
  }
  const stillUsed = graph.nodes.some(
    (n) => n.id !== id && n.kind === BLOCK_KIND && n.params.block === def.id,
  );
  const blocks = (graph.blocks ?? []).filter((b) => stillUsed || b.id !== def.id);
  return {
    ok: true,
    id: nodes[0]?.id ?? id,
    graph: {
      // The layers below the block move down by what its layers need, so nothing overlaps.
      nodes: [
        ...graph.nodes
          .filter((n) => n.id !== id)
          .map((n) =>
            n.position.y > node.position.y
              ? { ...n, position: { ...n.position, y: n.position.y + Math.max(0, repeat * height - 130) } }
              : n,
          ),
        ...nodes,
      ],
      edges: [
        ...graph.edges.filter((e) => e.target !== id && e.source !== id),
        ...edges,
        ...(previous
          ? graph.edges.filter((e) => e.source === id).map((e) => ({ ...e, source: previous! }))
          : []),
      ],
      ...(blocks.length || graph.blocks ? { blocks } : {}),
    },
  };
}
