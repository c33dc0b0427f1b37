/**
 * An imported model as a Netloom project: the graph (catalog defaults filled in, an Output node after
 * each model output, laid out top-down by dagre), checked like any graph, and the weights packed as
 * the project's TF.js layers-format artifacts in the order the graph's layers declare them. A graph
 * that does not check or a weight that does not fit is refused (an importer never half-imports).
 */
import path from 'node:path';
import dagre from '@dagrejs/dagre';
import { checkGraph, formatIssue } from '../../shared/graph/check';
import { expectedWeights } from '../../shared/graph/weights';
import { layerSpec } from '../../shared/layers/index';
import { defaultParams } from '../../shared/layers/params';
import { emptyProject, type ProjectBundle } from '../../shared/ir/project';
import type { Graph, GraphEdge, GraphNode, ParamValue } from '../../shared/ir/schema';
import { WEIGHTS_FILE } from '../engine/artifacts';
import { idFrom, ImportError, type ImportedModel } from './types';

const NODE_W = 200;
const NODE_H = 80;

/** Graphs up to this many nodes are laid out by dagre (its ordering recurses once per node). */
const DAGRE_MAX_NODES = 1000;

/**
 * Top-down positions: dagre's layered layout, on surrogate ids (its graph keys nodes in plain
 * objects, where an id like `constructor` breaks it); bigger graphs by depth, one row per layer depth.
 */
function layout(graph: Graph): void {
  const index = new Map(graph.nodes.map((n, i) => [n.id, i]));
  if (graph.nodes.length <= DAGRE_MAX_NODES) {
    const g = new dagre.graphlib.Graph();
    g.setGraph({ rankdir: 'TB', nodesep: 40, ranksep: 50 });
    g.setDefaultEdgeLabel(() => ({}));
    graph.nodes.forEach((_, i) => g.setNode(`n${i}`, { width: NODE_W, height: NODE_H }));
    for (const e of graph.edges) g.setEdge(`n${index.get(e.source)}`, `n${index.get(e.target)}`);
    dagre.layout(g);
    graph.nodes.forEach((n, i) => {
      const p = g.node(`n${i}`);
      if (p) n.position = { x: Math.round(p.x - NODE_W / 2), y: Math.round(p.y - NODE_H / 2) };
    });
    return;
  }
  // Longest path from an input, in the checker's order (the graph is acyclic by now).
  const depth = new Map<string, number>();
  const into = new Map<string, string[]>();
  for (const e of graph.edges) into.set(e.target, [...(into.get(e.target) ?? []), e.source]);
  for (const id of checkGraph(graph).order)
    depth.set(id, Math.max(-1, ...(into.get(id) ?? []).map((s) => depth.get(s) ?? 0)) + 1);
  const column = new Map<number, number>();
  for (const n of graph.nodes) {
    const d = depth.get(n.id) ?? 0;
    const k = column.get(d) ?? 0;
    column.set(d, k + 1);
    n.position = { x: k * (NODE_W + 40), y: d * (NODE_H + 50) };
  }
}

const problems = (report: ReturnType<typeof checkGraph>) =>
  report.issues
    .filter((i) => i.severity === 'error')
    .slice(0, 8)
    .map(formatIssue)
    .join('\n');

/** The graph of an imported model, with an Output node (loss auto) after each of its outputs. */
export function importedGraph(m: ImportedModel): Graph {
  const nodes: GraphNode[] = m.nodes.map((n) => ({
    id: n.id,
    kind: n.kind,
    ...(n.name && n.name !== n.id ? { name: n.name.slice(0, 100) } : {}),
    params: { ...(defaultParams(layerSpec(n.kind)) as Record<string, ParamValue>), ...n.params },
    position: { x: 0, y: 0 },
  }));
  const edges: GraphEdge[] = m.edges.map((e, i) => ({ id: `e${i + 1}`, ...e }));
  const graph: Graph = { nodes, edges };
  const before = checkGraph(graph);
  const taken = new Set(nodes.map((n) => n.id));
  m.outputs.forEach((src, i) => {
    const shape = before.nodes.get(src)?.outputShape;
    if (!shape) {
      const why =
        before.nodes
          .get(src)
          ?.issues.map((x) => x.message)
          .join(' ') || problems(before);
      throw new ImportError(`The imported graph does not check at ${src}: ${why}`);
    }
    const target = shape.slice(1).map((d) => (typeof d === 'number' ? d : null));
    const id = idFrom(m.outputs.length > 1 ? `output_${i + 1}` : 'output', taken);
    nodes.push({
      id,
      kind: 'Output',
      params: { targetShape: target, loss: 'auto' },
      position: { x: 0, y: 0 },
    });
    edges.push({ id: `e${edges.length + 1}`, source: src, target: id, targetPort: 'in' });
  });
  try {
    layout(graph);
  } catch (err) {
    throw new ImportError(
      `The imported graph cannot be laid out (${err instanceof Error ? err.message : String(err)}).`,
    );
  }
  return graph;
}

/** The imported model as a project bundle (no data until one is chosen), refused if anything misfits. */
export function importedProject(m: ImportedModel, sourceFile: string, name?: string): ProjectBundle {
  const graph = importedGraph(m);
  const report = checkGraph(graph);
  if (!report.valid) throw new ImportError(`The imported graph does not check:\n${problems(report)}`);
  const expected = expectedWeights(graph, report) ?? [];
  const entries: { name: string; shape: number[]; dtype: 'float32' }[] = [];
  const parts: Float32Array[] = [];
  const used = new Set<string>();
  for (const w of expected) {
    const got = m.weights.get(w.node)?.[w.weight];
    if (!got) throw new ImportError(`${w.node} (${w.kind}): the model has no ${w.weight} for it.`);
    const size = w.shape.reduce((a, d) => a * d, 1);
    if (got.shape.join(',') !== w.shape.join(',') || got.data.length !== size)
      throw new ImportError(
        `${w.node} (${w.kind}): ${w.weight} is [${got.shape.join(', ')}] in the model, the layer needs [${w.shape.join(', ')}].`,
      );
    used.add(`${w.node}/${w.weight}`);
    entries.push({ name: `${w.node}/${w.weight}`, shape: [...w.shape], dtype: 'float32' });
    parts.push(got.data);
  }
  for (const [node, ws] of m.weights)
    for (const k of Object.keys(ws))
      if (!used.has(`${node}/${k}`)) throw new ImportError(`${node}: the weight ${k} belongs to no layer.`);
  const bin = new Uint8Array(parts.reduce((a, p) => a + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    bin.set(new Uint8Array(p.buffer, p.byteOffset, p.byteLength), at);
    at += p.byteLength;
  }
  const project = emptyProject((name ?? m.name ?? path.basename(sourceFile)).slice(0, 200));
  project.graph = graph;
  project.origin = { format: m.format, file: path.basename(sourceFile).slice(0, 260), layout: m.layout };
  const modelJson = JSON.stringify({
    format: 'layers-model',
    generatedBy: `netloom import (${m.format})`,
    convertedBy: null,
    modelTopology: {},
    weightsManifest: [{ paths: [WEIGHTS_FILE], weights: entries }],
  });
  return { project, weights: { modelJson, weightsBin: bin } };
}
