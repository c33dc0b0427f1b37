/** Phase 3, topological order and cycles, over the valid edges. */
import { topoOrderIndexed } from '../topo';
import type { GraphCheck } from './state';

export function orderNodes(c: GraphCheck): void {
  const { list } = c;
  const { order, cycle } = topoOrderIndexed(c.size, c.topoEdges);
  c.orderIdx = order;
  if (cycle.length > 0) {
    const first = list[cycle[0]!]!;
    const ids = cycle.map((i) => list[i]!.id);
    c.add({
      severity: 'error',
      code: 'cycle',
      nodeId: first.id,
      kind: first.kind,
      message: `The graph has a cycle: ${[...ids, ids[0]].join(' → ')}. A feed-forward network cannot feed a layer its own output; remove one of these edges (for memory over time, use an LSTM, GRU or SimpleRNN layer).`,
    });
  }
}
