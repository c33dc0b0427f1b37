/**
 * What the canvas shows inside an open block: the report of the block's first copy in the graph
 * (nested uses too), under the ids the definition has (`<copy prefix><layer>` → `<layer>`), its
 * ports showing the shapes they pass on. A definition with no use in the graph shows no shapes
 * (there is nothing to infer them from).
 */
import { BLOCK_INPUT, BLOCK_OUTPUT } from '../../shared/ir/schema';
import { flattenBlocks } from '../../shared/graph/blocks';
import type { CheckGraph, GraphIssue, GraphReport, NodeReport } from '../../shared/graph/check/types';
import type { Shape } from '../../shared/layers/shape';

/** `id` is the flat node `base` or one of the layers of the block `base`. */
const inside = (id: string, base: string) => id === base || id.startsWith(`${base}__`);

const portReport = (id: string, kind: string, shape: Shape | undefined, input: boolean): NodeReport => ({
  id,
  kind,
  inputShapes: input ? [] : [shape],
  outputShape: shape,
  params: undefined,
  flops: 0,
  issues: [],
});

export function blockView(graph: CheckGraph, report: GraphReport, block: string): GraphReport {
  const def = graph.blocks?.find((b) => b.id === block);
  const flat = flattenBlocks(graph);
  const prefix = flat?.copies.get(block)?.[0];
  const nodes = new Map<string, NodeReport>();
  const issues: GraphIssue[] = [];
  if (def && flat && prefix !== undefined) {
    const flatEdges = flat.graph.edges;
    // A layer's output shape; a nested Block node's is its output node's.
    const shapeOf = (id: string) => {
      const own = report.nodes.get(prefix + id);
      if (own) return own.outputShape;
      const out = flatEdges.find(
        (e) => e.source.startsWith(`${prefix}${id}__`) && !e.target.startsWith(`${prefix}${id}__`),
      );
      return out ? report.nodes.get(out.source)?.outputShape : undefined;
    };
    for (const n of def.nodes) {
      const r = report.nodes.get(prefix + n.id);
      if (r) {
        const own = r.issues.map((i) => ({ ...i, nodeId: n.id }));
        issues.push(...own);
        nodes.set(n.id, { ...r, id: n.id, issues: own });
      } else if (n.kind === BLOCK_INPUT) {
        // The tensor that arrives: the source of a flat edge into a layer this port feeds.
        const fed = def.edges.find((e) => e.source === n.id);
        const arriving =
          fed && flatEdges.find((e) => inside(e.target, prefix + fed.target) && !e.source.startsWith(prefix));
        nodes.set(
          n.id,
          portReport(
            n.id,
            n.kind,
            arriving ? report.nodes.get(arriving.source)?.outputShape : undefined,
            true,
          ),
        );
      } else if (n.kind === BLOCK_OUTPUT) {
        const into = def.edges.find((e) => e.target === n.id);
        nodes.set(n.id, portReport(n.id, n.kind, into ? shapeOf(into.source) : undefined, false));
      } else {
        // A block inside this one: its layers' parameters summed.
        const members = [...report.nodes.values()].filter((m) => m.id.startsWith(`${prefix}${n.id}__`));
        const total = members.reduce((a, m) => a + (m.params?.total ?? 0), 0);
        const trainable = members.reduce((a, m) => a + (m.params?.trainable ?? 0), 0);
        nodes.set(n.id, {
          ...portReport(n.id, n.kind, shapeOf(n.id), false),
          params: {
            total,
            trainable,
            nonTrainable: total - trainable,
            weights: [],
            arithmetic: String(total),
          },
        });
      }
    }
  }
  const edgeShapes = new Map<string, Shape>();
  for (const e of def?.edges ?? []) {
    const s = nodes.get(e.source)?.outputShape;
    if (s) edgeShapes.set(e.id, s);
  }
  const errors = issues.filter((i) => i.severity === 'error').length;
  return { ...report, nodes, edgeShapes, issues, errors, warnings: issues.length - errors };
}
