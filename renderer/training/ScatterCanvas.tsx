/** A small scatter plot on a canvas: 2-D points coloured by class (data previews). */
import { useEffect, useRef } from 'react';
import { gridForPoints, toCanvas } from './lib/boundary';
import { classColor } from './lib/colors';
import { cssVar, useThemeVersion } from './useTheme';
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
  const ref = useRef<HTMLCanvasElement>(null);
  const theme = useThemeVersion();
  useEffect(() => {
    const c = ref.current;
    const ctx = c?.getContext('2d');
    if (!c || !ctx) return;
    const dpr = Math.min(3, window.devicePixelRatio || 1);
    const px = Math.round(size * dpr);
    c.width = px;
    c.height = px;
    ctx.fillStyle = cssVar(c, '--panel');
    ctx.fillRect(0, 0, px, px);
    const grid = gridForPoints(points, 2, 0.06);
    ctx.strokeStyle = cssVar(c, '--border');
    ctx.lineWidth = dpr;
    const [ox, oy] = toCanvas(grid, px, px, 0, 0);
    ctx.beginPath();
    if (ox > 0 && ox < px) {
      ctx.moveTo(ox, 0);
      ctx.lineTo(ox, px);
    }
    if (oy > 0 && oy < px) {
      ctx.moveTo(0, oy);
      ctx.lineTo(px, oy);
    }
    ctx.stroke();
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
  }, [points, size, theme]);
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
