/** One canvas drawn by `draw` at `width`×`height` CSS pixels, redrawn when `deps` change. */
import { useEffect, useRef } from 'react';
import { sizeCanvas } from './draw';

export function Plot({
  width,
  height,
  draw,
  deps,
  testId,
  title,
}: {
  width: number;
  height: number;
  draw: (ctx: CanvasRenderingContext2D) => void;
  deps: readonly unknown[];
  testId?: string;
  title?: string;
}) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const ctx = ref.current && sizeCanvas(ref.current, width, height);
    if (ctx) draw(ctx);
  }, [width, height, ...deps]);
  return (
    <canvas
      ref={ref}
      className="probe-canvas"
      style={{ width, height }}
      data-testid={testId}
      {...(title ? { title } : {})}
    />
  );
}
