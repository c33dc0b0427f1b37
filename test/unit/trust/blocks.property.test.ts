/**
 * Blocks never change the model: for random chains (Dense layers of random widths, some with a
 * residual Add), grouping any contiguous run of layers keeps validity and the parameter total, and
 * ungrouping gives the same model back; a repeated block's total is its layers' times the repeat.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkGraph } from '../../../shared/graph/check';
import { groupIntoBlock, ungroupBlock } from '../../../shared/graph/grouping';
import { graphSchema, type Graph, type GraphNode } from '../../../shared/ir/schema';

const node = (id: string, kind: string, params: GraphNode['params'], y: number): GraphNode => ({
  id,
  kind,
  params,
  position: { x: 0, y },
});

function chain(widths: number[]): Graph {
  const nodes: GraphNode[] = [node('input_1', 'Input', { shape: [5] }, 0)];
  const edges: Graph['edges'] = [];
  let last = 'input_1';
  widths.forEach((units, i) => {
    const id = `dense_${i + 1}`;
    nodes.push(node(id, 'Dense', { units, activation: i % 2 ? 'relu' : 'tanh' }, (i + 1) * 100));
    edges.push({ id: `e${edges.length + 1}`, source: last, target: id, targetPort: 'in' });
    last = id;
  });
  nodes.push(node('output_1', 'Output', { loss: 'meanSquaredError', targetShape: [widths.at(-1)!] }, 9999));
  edges.push({ id: `e${edges.length + 1}`, source: last, target: 'output_1', targetPort: 'in' });
  return { nodes, edges };
}

describe('blocks keep the model', () => {
  it('group any run of layers, ungroup it: same validity and parameter total', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 12 }), { minLength: 1, maxLength: 8 }),
        fc.nat(),
        fc.nat(),
        (widths, a, b) => {
          const g = chain(widths);
          const from = a % widths.length;
          const to = from + (b % (widths.length - from));
          const ids = widths.slice(from, to + 1).map((_, i) => `dense_${from + i + 1}`);
          const before = checkGraph(g);
          const r = groupIntoBlock(g, ids);
          if (!r.ok) throw new Error(r.reason);
          expect(graphSchema.safeParse(r.graph).success).toBe(true);
          const grouped = checkGraph(r.graph);
          expect(grouped.valid).toBe(before.valid);
          expect(grouped.totals.params).toBe(before.totals.params);
          const u = ungroupBlock(r.graph, r.id);
          if (!u.ok) throw new Error(u.reason);
          expect(checkGraph(u.graph).totals.params).toBe(before.totals.params);
          // Repeated: when the block's output has its input's shape, k copies of its parameters;
          // otherwise the copies differ (a Dense adapts to its input) or the chain breaks, on the block.
          const repeat = 1 + (a % 3);
          const rep = {
            ...r.graph,
            nodes: r.graph.nodes.map((n) => (n.id === r.id ? { ...n, params: { ...n.params, repeat } } : n)),
          };
          const rr = checkGraph(rep);
          const block = grouped.nodes.get(r.id)!;
          if (JSON.stringify(block.inputShapes[0]) === JSON.stringify(block.outputShape)) {
            expect(rr.valid).toBe(before.valid);
            expect(rr.totals.params).toBe(before.totals.params + (repeat - 1) * (block.params?.total ?? 0));
          } else if (!rr.valid && before.valid) {
            expect(rr.issues.some((i) => i.nodeId === r.id || i.nodeId === 'output_1')).toBe(true);
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});
