/**
 * What the canvas shows inside an open block: the report of the block's first use, under the ids
 * the definition has (`<use>__<layer>` → `<layer>`), its ports showing the shapes they pass on. A
 * definition with no use in the graph shows no shapes (there is nothing to infer them from).
 */
import { BLOCK_SEP, blockInputs, flattenBlocks } from '../../shared/graph/blocks';
import type { CheckGraph, GraphIssue, GraphReport, NodeReport } from '../../shared/graph/check/types';
import type { Shape } from '../../shared/layers/shape';

export function blockView(graph: CheckGraph, report: GraphReport, block: string): GraphReport {
  const def = graph.blocks?.find((b) => b.id === block);
  const use = [...(flattenBlocks(graph)?.uses.values() ?? [])].find((u) => u.block === block);
  const nodes = new Map<string, NodeReport>();
  const issues: GraphIssue[] = [];
  if (def && use) {
    const prefix = `${use.instance}${BLOCK_SEP}${use.repeat > 1 ? `1${BLOCK_SEP}` : ''}`;
    const outer = report.nodes.get(use.instance);
    const ports = blockInputs(def).map((n) => n.id);
    for (const n of def.nodes) {
      const r = report.nodes.get(prefix + n.id);
      if (r) {
        const own = r.issues.map((i) => ({ ...i, nodeId: n.id }));
        issues.push(...own);
        nodes.set(n.id, { ...r, id: n.id, issues: own });
        continue;
      }
      const k = ports.indexOf(n.id);
      const shape = k >= 0 ? outer?.inputShapes[k] : outer?.outputShape;
      nodes.set(n.id, {
        id: n.id,
        kind: n.kind,
        inputShapes: k >= 0 ? [] : [shape],
        outputShape: shape,
        params: undefined,
        flops: 0,
        issues: [],
      });
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
