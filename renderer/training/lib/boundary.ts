/**
 * The decision-boundary heatmap's pixels and coordinates. Pure: no DOM.
 *
 * Grid convention (the same as the training service's probe, electron/services/trainingSessions.ts):
 * cell (i, j), i = column from x0 to x1, j = row from the TOP (y1) down to y0, is predicted at its
 * centre; values are row-major over j then i, so `values[j * n + i]` (binary: P(class 1)) or
 * `values[(j * n + i) * k + c]` (k classes). That is image order: row 0 is drawn at the top.
 */
import { classColor, clamp, mix, parseHex, type RGB } from './colors';

export interface Grid {
  x0: number;
  x1: number;
  y0: number;
  y1: number;
  n: number;
}

/** The input the network is asked about for cell (i, j) (its centre). */
export function gridCellCentre(grid: Grid, i: number, j: number): [number, number] {
  return [
    grid.x0 + ((i + 0.5) / grid.n) * (grid.x1 - grid.x0),
    grid.y1 - ((j + 0.5) / grid.n) * (grid.y1 - grid.y0),
  ];
}

/** A grid that covers the points with a margin (share of the range on each side), n cells a side. */
export function gridForPoints(points: readonly (readonly number[])[], n = 50, margin = 0.1): Grid {
  let x0 = Infinity;
  let x1 = -Infinity;
  let y0 = Infinity;
  let y1 = -Infinity;
  for (const p of points) {
    const x = p[0]!;
    const y = p[1]!;
    if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
    x0 = Math.min(x0, x);
    x1 = Math.max(x1, x);
    y0 = Math.min(y0, y);
    y1 = Math.max(y1, y);
  }
  if (!Number.isFinite(x0)) return { x0: -1, x1: 1, y0: -1, y1: 1, n };
  const dx = Math.max(x1 - x0, 1e-6) * margin;
  const dy = Math.max(y1 - y0, 1e-6) * margin;
  return { x0: x0 - dx, x1: x1 + dx, y0: y0 - dy, y1: y1 + dy, n };
}

/** Data coordinates -> canvas pixels (y grows downwards on the canvas). */
export function toCanvas(grid: Grid, width: number, height: number, x: number, y: number): [number, number] {
  return [((x - grid.x0) / (grid.x1 - grid.x0)) * width, ((grid.y1 - y) / (grid.y1 - grid.y0)) * height];
}

/** How many values each cell has: 1 (binary probability) or k (one per class); 0 when inconsistent. */
export function valuesPerCell(values: readonly number[] | ArrayLike<number>, n: number): number {
  const cells = n * n;
  if (cells <= 0 || values.length === 0 || values.length % cells !== 0) return 0;
  return values.length / cells;
}

/** Winning class and confidence (0 = undecided, 1 = certain) of one cell. */
export function cellDecision(
  values: ArrayLike<number>,
  cell: number,
  perCell: number,
): { cls: number; confidence: number } {
  if (perCell === 1) {
    const p = clamp(Number.isFinite(values[cell]!) ? values[cell]! : 0.5, 0, 1);
    return { cls: p >= 0.5 ? 1 : 0, confidence: Math.abs(p - 0.5) * 2 };
  }
  let best = 0;
  let bestV = -Infinity;
  let sum = 0;
  for (let c = 0; c < perCell; c++) {
    const v = values[cell * perCell + c]!;
    const ok = Number.isFinite(v) ? v : 0;
    sum += ok;
    if (ok > bestV) {
      bestV = ok;
      best = c;
    }
  }
  // Probabilities (softmax) normally sum to 1; normalise in case they are scores.
  const p = sum > 0 ? bestV / sum : 1 / perCell;
  const floor = 1 / perCell;
  return { cls: best, confidence: clamp((p - floor) / (1 - floor), 0, 1) };
}

/**
 * RGBA pixels (n × n, row 0 at the top) for the heatmap: each cell in its winning class's colour,
 * mixed with `base` (the panel background) so that uncertain regions fade out, TensorFlow Playground
 * style. `strength` caps the colour so the data points drawn on top stay visible.
 */
export function boundaryPixels(
  values: ArrayLike<number>,
  n: number,
  base: RGB = [255, 255, 255],
  strength = 0.8,
): Uint8ClampedArray {
  const out = new Uint8ClampedArray(n * n * 4);
  const per = valuesPerCell(values, n);
  if (per === 0) {
    for (let i = 0; i < n * n; i++) out.set([base[0], base[1], base[2], 255], i * 4);
    return out;
  }
  const colors = new Map<number, RGB>();
  const colorOf = (c: number) => {
    let rgb = colors.get(c);
    if (!rgb) {
      rgb = parseHex(classColor(c)) ?? [128, 128, 128];
      colors.set(c, rgb);
    }
    return rgb;
  };
  for (let cell = 0; cell < n * n; cell++) {
    const { cls, confidence } = cellDecision(values, cell, per);
    const rgb = mix(base, colorOf(cls), 0.12 + confidence * (strength - 0.12));
    out[cell * 4] = rgb[0];
    out[cell * 4 + 1] = rgb[1];
    out[cell * 4 + 2] = rgb[2];
    out[cell * 4 + 3] = 255;
  }
  return out;
}
