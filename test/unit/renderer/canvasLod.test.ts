import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FarEdgesPath, gridCell, gridOffset, type LodNode } from '../../../renderer/canvas/lib/lod';

const node = (id: string, x: number, y: number, measured?: { width: number; height: number }): LodNode => ({
  id,
  position: { x, y },
  ...(measured ? { measured } : {}),
});

describe('zoomed-out edges (one path)', () => {
  it('draws each edge from the bottom centre of its source to the top centre of its target', () => {
    const nodes = [
      node('a', 0, 0, { width: 200, height: 80 }),
      node('b', 0, 300, { width: 100, height: 60 }),
    ];
    const d = new FarEdgesPath().path(nodes, [{ id: 'e1', source: 'a', target: 'b' }]);
    expect(d).toBe('M100.0,80.0C100.0,190.0 50.0,190.0 50.0,300.0');
  });

  it('skips edges whose nodes are gone and follows moved nodes', () => {
    const cache = new FarEdgesPath();
    const a = node('a', 0, 0, { width: 200, height: 80 });
    const b = node('b', 0, 300, { width: 200, height: 80 });
    const edges = [
      { id: 'e1', source: 'a', target: 'b' },
      { id: 'e2', source: 'b', target: 'gone' },
    ];
    const first = cache.path([a, b], edges);
    expect(first.match(/M/g)).toHaveLength(1);
    // Same node objects: same path (reused). A moved node (a new object): its edge follows.
    expect(cache.path([a, b], edges)).toBe(first);
    const moved = cache.path([{ ...a, position: { x: 40, y: 0 } }, b], edges);
    expect(moved).toBe('M140.0,80.0C140.0,190.0 100.0,190.0 100.0,300.0');
  });
});

describe('dot grid', () => {
  it('keeps screen spacing of at least 10 px, in 5x steps of the 20-unit grid', () => {
    expect(gridCell(1)).toBe(20);
    expect(gridCell(0.25)).toBe(25);
    expect(gridCell(0.07)).toBeCloseTo(35);
    fc.assert(
      fc.property(fc.double({ min: 0.01, max: 4, noNaN: true }), (zoom) => {
        const cell = gridCell(zoom);
        const steps = Math.log(cell / (20 * zoom)) / Math.log(5);
        return cell >= 10 && Math.abs(steps - Math.round(steps)) < 1e-9 && (steps < 0.5 || cell / 5 < 10);
      }),
    );
  });

  it('moves the layer by less than one cell, in phase with the pan', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -1e5, max: 1e5, noNaN: true }),
        fc.double({ min: 10, max: 60, noNaN: true }),
        (t, cell) => {
          const o = gridOffset(t, cell);
          const phase = (((o - t) % cell) + cell) % cell;
          return o < 0 && o >= -cell && (phase < 1e-6 || cell - phase < 1e-6);
        },
      ),
    );
  });
});
