/** A node a fix inserts lands where there is room: it overlaps no other node, its chain keeps order. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NODE_H, NODE_W, type LayerNodeT } from '../../../renderer/store/graph';
import { newLayer, withInsertedBefore } from '../../../renderer/store/graphEdits';

type Box = { x: number; y: number; w: number; h: number };
const box = (n: LayerNodeT): Box => ({
  x: n.position.x,
  y: n.position.y,
  w: n.measured?.width ?? NODE_W,
  h: n.measured?.height ?? NODE_H,
});
const overlap = (a: Box, b: Box) => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;

/** A vertical chain input → n1 → … with the given heights and gaps (as a laid-out graph has). */
function chain(heights: number[], gaps: number[]) {
  let y = 0;
  const nodes = heights.map((h, i) => {
    const n = newLayer(`n${i}`, i === 0 ? 'Input' : 'Dense', { x: 0, y }, {});
    n.measured = { width: NODE_W, height: h };
    y += h + gaps[i]!;
    return n;
  });
  const edges = nodes.slice(1).map((n, i) => ({
    id: `e${i}`,
    source: `n${i}`,
    target: n.id,
    sourceHandle: 'out',
    targetHandle: 'in',
  }));
  return { nodes, edges };
}

describe('withInsertedBefore', () => {
  it('places the inserted node without overlap, between its source and target, for any chain', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 40, max: 400 }), { minLength: 2, maxLength: 8 }),
        fc.array(fc.integer({ min: 0, max: 120 }), { minLength: 8, maxLength: 8 }),
        fc.nat(),
        (heights, gaps, at) => {
          const g = chain(heights, gaps);
          const target = `n${1 + (at % (heights.length - 1))}`;
          const next = withInsertedBefore(g, target, 'in', 'Flatten', {})!;
          const added = next.nodes.find((n) => !g.nodes.some((o) => o.id === n.id))!;
          for (const n of next.nodes) if (n !== added) expect(overlap(box(added), box(n)), n.id).toBe(false);
          // Still top to bottom along the chain: source above the new node above the target.
          const src = next.nodes.find((n) => n.id === `n${Number(target.slice(1)) - 1}`)!;
          const tgt = next.nodes.find((n) => n.id === target)!;
          expect(src.position.y).toBeLessThan(added.position.y);
          expect(added.position.y).toBeLessThan(tgt.position.y);
          // Nothing else overlaps either (the move keeps the layout).
          for (const a of next.nodes)
            for (const b of next.nodes)
              if (a !== b && a.id < b.id) expect(overlap(box(a), box(b))).toBe(false);
          // Wired through: source → new → target.
          expect(next.edges.some((e) => e.target === added.id && e.source === src.id)).toBe(true);
          expect(next.edges.some((e) => e.source === added.id && e.target === target)).toBe(true);
        },
      ),
    );
  });
});
