/**
 * The nodes a valid graph's model is made of, once, for every consumer that builds from the graph
 * (the Keras JSON the engine compiles, the export plan): the live nodes in topological order (those
 * with a path to an Output), each with its resolved parameters and its sources in port order, a
 * missing optional port taking its fallback's source (MultiHeadAttention: key → query, value → key).
 */
import { isLayerKind, type LayerKind, layerSpec } from '../layers/index';
import type { AnyLayerSpec, ConfigOf, ParamSpecs } from '../layers/define';
import { resolveParams } from '../layers/params';
import { flatGraph } from './blocks';
import type { CheckGraph, GraphReport } from './check';
import type { CheckNode } from './check/types';

export interface ModelNode {
  id: string;
  node: CheckNode;
  kind: LayerKind;
  spec: AnyLayerSpec;
  config: ConfigOf<ParamSpecs>;
  /** Source node ids in port order (fallback ports resolved). */
  sources: string[];
}

/**
 * The model's nodes of a graph the checker accepted (`report.valid`). Throws `Error` with a located
 * message if the report does not describe the graph (a caller bug; the checker guarantees the rest).
 */
export function modelNodes(whole: CheckGraph, report: GraphReport): ModelNode[] {
  const graph = flatGraph(whole);
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const incoming = new Map<string, Map<string, string>>();
  for (const e of graph.edges) {
    let m = incoming.get(e.target);
    if (!m) incoming.set(e.target, (m = new Map()));
    m.set(e.targetPort, e.source);
  }
  return report.live.map((id) => {
    const node = byId.get(id);
    if (!node || !isLayerKind(node.kind)) throw new Error(`${id}: not a node of a known kind.`);
    const spec = layerSpec(node.kind);
    const res = resolveParams(spec, node.params);
    if (!res.ok) throw new Error(`${id} (${node.kind}): ${res.issues.map((i) => i.message).join(' ')}`);
    const resolved = new Map<string, string>();
    const sources: string[] = [];
    for (const port of spec.ports(res.config)) {
      const src =
        incoming.get(id)?.get(port.name) ?? (port.fallback ? resolved.get(port.fallback) : undefined);
      if (src === undefined) throw new Error(`${id} (${node.kind}): port ${port.name} is not connected.`);
      resolved.set(port.name, src);
      sources.push(src);
    }
    return { id, node, kind: node.kind, spec, config: res.config, sources };
  });
}
