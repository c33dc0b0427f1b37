import { describe, expect, it } from 'vitest';
import {
  boundaryPixels,
  cellDecision,
  gridCellCentre,
  gridForPoints,
  toCanvas,
  valuesPerCell,
} from '../../../renderer/training/lib/boundary';
import { classColor, parseHex } from '../../../renderer/training/lib/colors';

const grid = { x0: -2, x1: 2, y0: -1, y1: 1, n: 4 };

describe('grid convention', () => {
  it('matches the training service probe: cell centres, row 0 at the top', () => {
    // electron/services/trainingSessions.ts: x0 + ((i + 0.5) / n)(x1 - x0), y1 - ((j + 0.5) / n)(y1 - y0)
    expect(gridCellCentre(grid, 0, 0)).toEqual([-1.5, 0.75]);
    expect(gridCellCentre(grid, 3, 3)).toEqual([1.5, -0.75]);
  });

  it('maps data to canvas pixels with y pointing down', () => {
    expect(toCanvas(grid, 400, 200, -2, 1)).toEqual([0, 0]);
    expect(toCanvas(grid, 400, 200, 2, -1)).toEqual([400, 200]);
    expect(toCanvas(grid, 400, 200, 0, 0)).toEqual([200, 100]);
  });

  it('builds a grid around points with a margin', () => {
    const g = gridForPoints(
      [
        [0, 0, 0],
        [10, 5, 1],
      ],
      30,
      0.1,
    );
    expect(g).toEqual({ x0: -1, x1: 11, y0: -0.5, y1: 5.5, n: 30 });
    expect(gridForPoints([])).toEqual({ x0: -1, x1: 1, y0: -1, y1: 1, n: 50 });
  });
});

describe('cell decisions', () => {
  it('reads binary probabilities and k-class rows', () => {
    expect(valuesPerCell(new Array(16).fill(0.5), 4)).toBe(1);
    expect(valuesPerCell(new Array(48).fill(0.5), 4)).toBe(3);
    expect(valuesPerCell(new Array(17).fill(0.5), 4)).toBe(0);
    expect(cellDecision([0.9], 0, 1)).toEqual({ cls: 1, confidence: expect.closeTo(0.8) });
    expect(cellDecision([0.1], 0, 1)).toEqual({ cls: 0, confidence: expect.closeTo(0.8) });
    expect(cellDecision([0.1, 0.7, 0.2, 1 / 3, 1 / 3, 1 / 3], 0, 3).cls).toBe(1);
    expect(cellDecision([0.1, 0.7, 0.2, 1 / 3, 1 / 3, 1 / 3], 1, 3).confidence).toBeCloseTo(0);
    expect(cellDecision([0, 0, 1], 0, 3).confidence).toBeCloseTo(1);
  });
});

describe('boundaryPixels', () => {
  const white = [255, 255, 255] as const;
  const px = (data: Uint8ClampedArray, cell: number) => Array.from(data.slice(cell * 4, cell * 4 + 4));

  it('paints confident cells in the class colour and unsure ones near the background', () => {
    const values = [1, 0, 0.5, 0.5];
    const out = boundaryPixels(values, 2, white, 1);
    expect(out.length).toBe(16);
    const c1 = parseHex(classColor(1))!;
    const c0 = parseHex(classColor(0))!;
    expect(px(out, 0).slice(0, 3)).toEqual(c1.map((v) => Math.round(v)));
    expect(px(out, 1).slice(0, 3)).toEqual(c0.map((v) => Math.round(v)));
    // Undecided: mostly background.
    for (const ch of px(out, 2).slice(0, 3)) expect(ch).toBeGreaterThan(200);
    for (let i = 0; i < 4; i++) expect(out[i * 4 + 3]).toBe(255);
  });

  it('colours k classes by argmax', () => {
    const values = [0, 0, 1, 0, 1, 0, 1, 0, 0, 0, 0, 1];
    const out = boundaryPixels(values, 2, white, 1);
    expect(px(out, 0).slice(0, 3)).toEqual(parseHex(classColor(2))!.slice());
    expect(px(out, 1).slice(0, 3)).toEqual(parseHex(classColor(1))!.slice());
    expect(px(out, 2).slice(0, 3)).toEqual(parseHex(classColor(0))!.slice());
  });

  it('fills with the background when the values do not fit the grid (before training)', () => {
    const out = boundaryPixels([], 3, [20, 30, 40]);
    expect(px(out, 8)).toEqual([20, 30, 40, 255]);
  });

  it('changes when the values change (the view updates during training)', () => {
    const a = boundaryPixels(new Array(100).fill(0.3), 10);
    const b = boundaryPixels(new Array(100).fill(0.7), 10);
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(false);
  });
});
