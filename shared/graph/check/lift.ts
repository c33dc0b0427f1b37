/**
 * Blocks in the report: the checker checks the flattened graph (see `../blocks`), then each Block
 * node gets a report of its own (its input and output shapes, its layers' parameters and FLOPs
 * summed) and the issues inside a block are shown on the Block node, naming the layer.
 */
import { BLOCK_KIND } from '../../ir/schema';
import { formatCount } from '../../layers/shape';
import { blockPortNames, BLOCK_SEP, type Flattened } from '../blocks';
import type { CheckGraph, GraphIssue, GraphReport, NodeReport, ParamCount } from './types';

function blockParams(members: readonly NodeReport[], instance: string): ParamCount {
  let total = 0;
  let trainable = 0;
  const weights = members.flatMap((r) => {
    total += r.params?.total ?? 0;
    trainable += r.params?.trainable ?? 0;
    const inner = r.id.slice(instance.length + BLOCK_SEP.length);
    return (r.params?.weights ?? []).map((w) => ({ ...w, name: `${inner}/${w.name}` }));
  });
  const parts = members.filter((r) => (r.params?.total ?? 0) > 0).map((r) => formatCount(r.params!.total));
  return {
    total,
    trainable,
    nonTrainable: total - trainable,
    weights,
    arithmetic: parts.length > 1 ? `${parts.join(' + ')} = ${formatCount(total)}` : formatCount(total),
  };
}

/** The report of `graph` from the report of its flattened form. */
export function liftReport(graph: CheckGraph, flat: Flattened, report: GraphReport): GraphReport {
  const nodes = new Map(report.nodes);
  const issues: GraphIssue[] = [...flat.issues];
  for (const i of report.issues) {
    const owner = i.nodeId === undefined ? undefined : flat.owner.get(i.nodeId);
    if (owner === undefined || owner === i.nodeId) issues.push(i);
    else {
      const inner = i.nodeId!.slice(owner.length + BLOCK_SEP.length);
      // Located on the Block node; a fix inside a definition is made by opening it.
      issues.push({
        severity: i.severity,
        code: i.code,
        message: `${inner}: ${i.message}`,
        nodeId: owner,
        kind: BLOCK_KIND,
      });
    }
  }
  const outputOf = (id: string) => report.nodes.get(flat.uses.get(id)?.output ?? id)?.outputShape;
  const defs = new Map((graph.blocks ?? []).map((b) => [b.id, b]));
  for (const n of graph.nodes) {
    const use = flat.uses.get(n.id);
    if (!use) continue;
    const members = use.members.map((id) => report.nodes.get(id)).filter((r) => r !== undefined);
    const def = defs.get(use.block);
    const into = new Map(graph.edges.filter((e) => e.target === n.id).map((e) => [e.targetPort, e]));
    nodes.set(n.id, {
      id: n.id,
      kind: BLOCK_KIND,
      inputShapes: (def ? blockPortNames(def) : []).map((p) => {
        const e = into.get(p);
        return e && (report.edgeShapes.get(e.id) ?? outputOf(e.source));
      }),
      outputShape: use.output === undefined ? undefined : report.nodes.get(use.output)?.outputShape,
      params: blockParams(members, n.id),
      flops: members.reduce((a, r) => a + (r.flops ?? 0), 0),
      issues: issues.filter((i) => i.nodeId === n.id),
    });
  }
  const errors = issues.filter((i) => i.severity === 'error').length;
  return {
    ...report,
    nodes,
    issues,
    errors,
    warnings: issues.length - errors,
    valid: report.valid && errors === 0,
  };
}
