import { describe, expect, it } from 'vitest';
import type { LayerNodeT } from '../../../renderer/store/graph';
import { freeSpot } from '../../../renderer/store/placement';

const node = (id: string, x: number, y: number): LayerNodeT => ({
  id,
  type: 'layer',
  position: { x, y },
  measured: { width: 220, height: 96 },
  data: { kind: 'Dense', params: {} },
});

describe('new nodes find room', () => {
  it('keeps the wanted place when it is free', () => {
    expect(freeSpot([node('a', 0, 0)], { x: 600, y: 600 })).toEqual({ x: 600, y: 600 });
  });

  it('moves to the nearest place that overlaps no node, even in a crowd', () => {
    const crowd = Array.from({ length: 9 }, (_, i) => node(`n${i}`, (i % 3) * 250, Math.floor(i / 3) * 120));
    const spot = freeSpot(crowd, { x: 250, y: 120 });
    for (const n of crowd) {
      const apart =
        spot.x >= n.position.x + 220 + 24 ||
        n.position.x >= spot.x + 220 + 24 ||
        spot.y >= n.position.y + 96 + 24 ||
        n.position.y >= spot.y + 96 + 24;
      expect(apart).toBe(true);
    }
    // Nearest: not further than the crowd's edge needs.
    expect(Math.hypot(spot.x - 250, spot.y - 120)).toBeLessThan(500);
  });
});
