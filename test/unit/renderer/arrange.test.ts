import { describe, expect, it } from 'vitest';
import { arranged } from '../../../renderer/store/arrange';
import type { LayerNodeT } from '../../../renderer/store/graph';

const node = (id: string, x: number, y: number, w = 200, h = 80, selected = true): LayerNodeT => ({
  id,
  type: 'layer',
  position: { x, y },
  measured: { width: w, height: h },
  selected,
  data: { kind: 'Dense', params: {} },
});

describe('align and distribute', () => {
  const nodes = [
    node('a', 10, 0),
    node('b', 100, 200, 100),
    node('c', 400, 90, 200, 40),
    node('d', 0, 0, 200, 80, false),
  ];

  it('aligns left edges, top edges, centres and middles of the selected nodes only', () => {
    const left = arranged(nodes, 'left')!;
    expect(left.filter((n) => n.selected).map((n) => n.position.x)).toEqual([10, 10, 10]);
    expect(left.find((n) => n.id === 'd')).toBe(nodes[3]);
    expect(
      arranged(nodes, 'top')!
        .filter((n) => n.selected)
        .map((n) => n.position.y),
    ).toEqual([0, 0, 0]);
    const centre = arranged(nodes, 'centre')!;
    const centres = centre.filter((n) => n.selected).map((n) => n.position.x + n.measured!.width! / 2);
    expect(new Set(centres).size).toBe(1);
    const middle = arranged(nodes, 'middle')!;
    const middles = middle.filter((n) => n.selected).map((n) => n.position.y + n.measured!.height! / 2);
    expect(new Set(middles).size).toBe(1);
  });

  it('distributes with equal gaps, keeping the outermost nodes where they are', () => {
    const down = arranged(nodes, 'down')!;
    const byY = down.filter((n) => n.selected).sort((p, q) => p.position.y - q.position.y);
    const gaps = byY.slice(1).map((n, i) => n.position.y - (byY[i]!.position.y + byY[i]!.measured!.height!));
    expect(Math.abs(gaps[0]! - gaps[1]!)).toBeLessThanOrEqual(1);
    expect(byY[0]!.position.y).toBe(0);
    expect(byY.at(-1)!.position.y).toBe(200);
  });

  it('needs two nodes to align and three to distribute', () => {
    expect(arranged([node('a', 0, 0), node('b', 5, 5, 200, 80, false)], 'left')).toBeNull();
    expect(arranged([node('a', 0, 0), node('b', 5, 5)], 'across')).toBeNull();
  });
});
