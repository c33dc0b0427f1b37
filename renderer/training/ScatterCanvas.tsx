/** A small scatter plot on a canvas: 2-D points coloured by class (data previews). */
import { gridForPoints, toCanvas } from './lib/boundary';
import { drawOriginAxes, usePanelCanvas } from './canvas';
import { classColor } from './lib/colors';
import { cssVar } from './useTheme';
import './training.css';

export interface ScatterCanvasProps {
  points: readonly (readonly [number, number, number])[];
  size?: number;
  label?: string;
}

export function ScatterCanvas({
  points,
  size = 240,
  label = 'Scatter plot of the data',
}: ScatterCanvasProps) {
  const ref = usePanelCanvas(
    size,
    (ctx, px, dpr, c) => {
      const grid = gridForPoints(points, 2, 0.06);
      drawOriginAxes(ctx, grid, px, dpr, cssVar(c, '--border'));
      const r = (points.length > 800 ? 2 : 2.8) * dpr;
      ctx.globalAlpha = 0.85;
      for (const [x, y, k] of points) {
        const [cx, cy] = toCanvas(grid, px, px, x, y);
        ctx.beginPath();
        ctx.arc(cx, cy, r, 0, Math.PI * 2);
        ctx.fillStyle = classColor(k);
        ctx.fill();
      }
      ctx.globalAlpha = 1;
    },
    [points],
  );
  return (
    <canvas
      ref={ref}
      className="scatter-canvas"
      style={{ width: size, height: size }}
      role="img"
      aria-label={label}
    />
  );
}
