/**
 * A small Dense layer's weight matrix drawn on its input edge, as TensorFlow Playground draws its
 * links: a line from every input (spread along the source's bottom) to every unit (along the
 * target's top), blue for positive and orange for negative, thicker and more opaque the larger the
 * weight. Lines are grouped into a dozen paths by sign and magnitude (not one element per weight).
 */
import { memo, useMemo } from 'react';
import type { EdgeKernel } from '../store/slices/training';

const LEVELS = 6;
const POS = 'rgb(8,119,189)';
const NEG = 'rgb(245,147,34)';

function spread(centre: number, n: number, width: number): number[] {
  if (n === 1) return [centre];
  const span = Math.min(width, (n - 1) * 14);
  return Array.from({ length: n }, (_, i) => centre - span / 2 + (i * span) / (n - 1));
}

function EdgeWeightsImpl({
  id,
  kernel,
  sx,
  sy,
  tx,
  ty,
}: {
  id: string;
  kernel: EdgeKernel;
  sx: number;
  sy: number;
  tx: number;
  ty: number;
}) {
  const paths = useMemo(() => {
    const { rows, cols, values } = kernel;
    let max = 0;
    for (const v of values) max = Math.max(max, Math.abs(v));
    const from = spread(sx, rows, 200);
    const to = spread(tx, cols, 200);
    const buckets = Array.from({ length: 2 * LEVELS }, () => [] as string[]);
    for (let r = 0; r < rows; r++)
      for (let c = 0; c < cols; c++) {
        const v = values[r * cols + c]!;
        if (!Number.isFinite(v) || max === 0) continue;
        const level = Math.min(LEVELS - 1, Math.floor((Math.abs(v) / max) * LEVELS));
        buckets[(v < 0 ? LEVELS : 0) + level]!.push(
          `M${from[r]!.toFixed(1)} ${(sy + 4).toFixed(1)}L${to[c]!.toFixed(1)} ${(ty - 4).toFixed(1)}`,
        );
      }
    return buckets.map((segments, b) => ({ d: segments.join(''), negative: b >= LEVELS, level: b % LEVELS }));
  }, [kernel, sx, sy, tx, ty]);
  return (
    <g className="edge-weights" data-testid={`edge-weights-${id}`} pointerEvents="none">
      {paths.map(
        (p, i) =>
          p.d && (
            <path
              key={i}
              d={p.d}
              fill="none"
              stroke={p.negative ? NEG : POS}
              strokeWidth={0.4 + (2.2 * (p.level + 1)) / LEVELS}
              strokeOpacity={0.12 + (0.8 * (p.level + 1)) / LEVELS}
            />
          ),
      )}
    </g>
  );
}

export const EdgeWeights = memo(EdgeWeightsImpl);
