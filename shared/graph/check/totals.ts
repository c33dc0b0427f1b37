/** Phase 7, totals: the shape on each edge, the sums over the nodes, and the report itself. */
import type { Shape } from '../../layers/shape';
import { type GraphCheck, NO_ISSUES } from './state';
import type { GraphReport, NodeReport } from './types';

export function buildReport(
  c: GraphCheck,
  io: { inputs: readonly number[]; outputs: readonly number[] },
  alive: Uint8Array,
): GraphReport {
  const { list, issues, validEdges, topoEdges, outShapes } = c;
  const edgeShapes = new Map<string, Shape>();
  for (let k = 0; k < validEdges.length; k++) {
    const s = outShapes[topoEdges[2 * k]!];
    if (s) edgeShapes.set(validEdges[k]!.id, s);
  }

  let params = 0;
  let trainable = 0;
  let flops = 0;
  const nodes = new Map<string, NodeReport>();
  for (const r of c.reps) {
    params += r.params?.total ?? 0;
    trainable += r.params?.trainable ?? 0;
    flops += r.flops ?? 0;
    if (r.issues === NO_ISSUES) r.issues = [];
    nodes.set(r.id, r);
  }
  const errors = issues.filter((i) => i.severity === 'error').length;
  const idOf = (i: number) => list[i]!.id;
  const isLive = (i: number) => alive[i] === 1;
  return {
    order: c.orderIdx.map(idOf),
    nodes,
    edgeShapes,
    issues,
    errors,
    warnings: issues.length - errors,
    valid: errors === 0 && c.size > 0,
    totals: { params, trainable, nonTrainable: params - trainable, flops },
    inputs: io.inputs.filter(isLive).map(idOf),
    outputs: io.outputs.map(idOf),
    live: c.orderIdx.filter(isLive).map(idOf),
  };
}
