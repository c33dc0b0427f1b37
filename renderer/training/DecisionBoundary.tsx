/**
 * TensorFlow-Playground-style decision boundary for 2-D inputs: the network's prediction over a grid
 * as a heatmap (each cell in its winning class's colour, faded where the network is unsure), with the
 * data drawn on top. Redrawn whenever the values change (during training, at every epoch end).
 *
 * Grid convention: see boundary.ts (row 0 = the top, y1; cell centres, as the training service's probe).
 */
import { drawOriginAxes, squareCanvas } from './canvas';
import { useEffect, useRef } from 'react';
import { boundaryPixels, toCanvas, valuesPerCell, type Grid } from './lib/boundary';
import { classColor, parseColor } from './lib/colors';
import { cssVar, useThemeVersion } from './useTheme';
import './training.css';

export interface DecisionBoundaryProps {
  grid: Grid;
  /** n×n values (binary: P(class 1)) or n×n×k (k classes, row-major); empty before training. */
  values: ArrayLike<number>;
  /** Number of classes. */
  classes: number;
  /** The data: [x, y, class]. */
  points: readonly (readonly [number, number, number])[];
  /** Names for the legend (optional). */
  classNames?: readonly string[];
  /** CSS size of the square canvas in pixels (default 300). */
  size?: number;
  /** A click on (or near) a point picks it: its index in `points`. */
  onPick?: (point: number) => void;
  /** A point to ring (the probed one). */
  highlight?: number | undefined;
}

/** The point within `radius` CSS pixels of (cx, cy) nearest to it, or -1. */
export function nearestPoint(
  grid: Grid,
  size: number,
  points: readonly (readonly [number, number, number])[],
  cx: number,
  cy: number,
  radius = 8,
): number {
  let best = -1;
  let bestD = radius * radius;
  points.forEach(([x, y], i) => {
    const [px, py] = toCanvas(grid, size, size, x, y);
    const d = (px - cx) ** 2 + (py - cy) ** 2;
    if (d <= bestD) {
      bestD = d;
      best = i;
    }
  });
  return best;
}

export function DecisionBoundary({
  grid,
  values,
  classes,
  points,
  classNames,
  size = 300,
  onPick,
  highlight,
}: DecisionBoundaryProps) {
  const ref = useRef<HTMLCanvasElement>(null);
  const theme = useThemeVersion();
  const offscreen = useRef<HTMLCanvasElement | null>(null);

  useEffect(() => {
    const canvas = ref.current;
    const s = squareCanvas(canvas, size);
    if (!canvas || !s) return;
    const { ctx, px, dpr } = s;
    const panel = cssVar(canvas, '--panel');
    const base = parseColor(panel) ?? [255, 255, 255];
    const n = Math.max(1, Math.floor(grid.n));
    if (valuesPerCell(values, n) > 0) {
      const off = offscreen.current ?? document.createElement('canvas');
      offscreen.current = off;
      off.width = n;
      off.height = n;
      const octx = off.getContext('2d')!;
      const img = octx.createImageData(n, n);
      img.data.set(boundaryPixels(values, n, base));
      octx.putImageData(img, 0, 0);
      ctx.imageSmoothingEnabled = true;
      ctx.imageSmoothingQuality = 'high';
      ctx.drawImage(off, 0, 0, px, px);
    } else {
      ctx.fillStyle = panel;
      ctx.fillRect(0, 0, px, px);
    }
    drawOriginAxes(ctx, grid, px, dpr, cssVar(canvas, '--border'));
    // The data on top.
    const r = (points.length > 800 ? 2.2 : 3) * dpr;
    ctx.lineWidth = 1 * dpr;
    ctx.strokeStyle = base[0] + base[1] + base[2] > 380 ? '#ffffff' : '#000000';
    for (const [x, y, c] of points) {
      const [cx, cy] = toCanvas(grid, px, px, x, y);
      if (cx < -r || cy < -r || cx > px + r || cy > px + r) continue;
      ctx.beginPath();
      ctx.arc(cx, cy, r, 0, Math.PI * 2);
      ctx.fillStyle = classColor(c);
      ctx.fill();
      ctx.stroke();
    }
    const h = highlight !== undefined ? points[highlight] : undefined;
    if (h) {
      const [cx, cy] = toCanvas(grid, px, px, h[0], h[1]);
      ctx.beginPath();
      ctx.arc(cx, cy, r + 4 * dpr, 0, Math.PI * 2);
      ctx.lineWidth = 2.5 * dpr;
      ctx.strokeStyle = cssVar(canvas, '--text');
      ctx.stroke();
    }
  }, [grid, values, points, size, theme, highlight]);

  const names = classNames ?? Array.from({ length: Math.max(classes, 2) }, (_, i) => `class ${i}`);
  return (
    <figure className="boundary">
      <canvas
        ref={ref}
        data-testid="decision-boundary"
        className="boundary-canvas"
        style={{ width: size, height: size, ...(onPick ? { cursor: 'crosshair' } : {}) }}
        {...(onPick
          ? {
              onClick: (e: React.MouseEvent<HTMLCanvasElement>) => {
                const box = e.currentTarget.getBoundingClientRect();
                const i = nearestPoint(grid, size, points, e.clientX - box.left, e.clientY - box.top);
                if (i >= 0) onPick(i);
              },
              title: 'Click a point to look inside the network for it',
            }
          : {})}
        role="img"
        aria-label="Decision boundary: the network's predicted class over the input plane, with the data on top"
      />
      <figcaption className="boundary-legend">
        {names.map((c, i) => (
          <span key={`${c}-${i}`} className="legend-item">
            <span className="class-dot" style={{ background: classColor(i) }} />
            {c}
          </span>
        ))}
        <span className="muted boundary-range mono">
          x {grid.x0.toFixed(1)}…{grid.x1.toFixed(1)} · y {grid.y0.toFixed(1)}…{grid.y1.toFixed(1)}
        </span>
      </figcaption>
    </figure>
  );
}
