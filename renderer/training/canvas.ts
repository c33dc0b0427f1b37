/** What the square canvas plots share: sizing for the screen's pixel density, and origin axes. */
import { type RefObject, useEffect, useRef } from 'react';
import { toCanvas, type Grid } from './lib/boundary';
import { cssVar, useThemeVersion } from './useTheme';

/**
 * Sizes a square canvas of `size` CSS pixels for the device's pixel density (at most 3×), resetting
 * its transform. Returns the context and the side in device pixels, or null without a 2-D context.
 */
export function squareCanvas(
  canvas: HTMLCanvasElement | null,
  size: number,
): { ctx: CanvasRenderingContext2D; px: number; dpr: number } | null {
  const ctx = canvas?.getContext('2d');
  if (!canvas || !ctx) return null;
  const dpr = Math.min(3, window.devicePixelRatio || 1);
  const px = Math.round(size * dpr);
  if (canvas.width !== px || canvas.height !== px) {
    canvas.width = px;
    canvas.height = px;
  }
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  return { ctx, px, dpr };
}

/** Faint axes through the origin when it is in view (as TensorFlow Playground draws them). */
export function drawOriginAxes(
  ctx: CanvasRenderingContext2D,
  grid: Grid,
  px: number,
  dpr: number,
  stroke: string,
): void {
  ctx.strokeStyle = stroke;
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
}

/**
 * A square canvas plot drawn by `draw` whenever `deps` or the theme change, on the panel's colour.
 * Returns the ref to put on the `<canvas>`.
 */
export function usePanelCanvas(
  size: number,
  draw: (ctx: CanvasRenderingContext2D, px: number, dpr: number, canvas: HTMLCanvasElement) => void,
  deps: readonly unknown[],
): RefObject<HTMLCanvasElement | null> {
  const ref = useRef<HTMLCanvasElement>(null);
  const theme = useThemeVersion();
  useEffect(() => {
    const c = ref.current;
    const s = squareCanvas(c, size);
    if (!c || !s) return;
    s.ctx.fillStyle = cssVar(c, '--panel');
    s.ctx.fillRect(0, 0, s.px, s.px);
    draw(s.ctx, s.px, s.dpr, c);
  }, [size, theme, ...deps]);
  return ref;
}
