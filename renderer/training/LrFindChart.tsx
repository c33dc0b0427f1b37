/**
 * The learning-rate finder's curve: smoothed loss against the rate on a log axis, the suggested
 * rate marked. Props in, nothing else.
 */
export interface LrFindChartProps {
  points: readonly [number, number][];
  suggested: number | null;
  width?: number;
  height?: number;
}

export function LrFindChart({ points, suggested, width = 260, height = 90 }: LrFindChartProps) {
  if (points.length < 2) return null;
  const lx = points.map(([lr]) => Math.log10(lr));
  const ys = points.map(([, l]) => l);
  const [x0, x1] = [Math.min(...lx), Math.max(...lx)];
  // The start of the curve sets the scale: the blow-up at the end is clipped rather than flattening it.
  const y0 = Math.min(...ys);
  const y1 = Math.max(Math.min(Math.max(...ys), ys[0]! * 1.5), y0 + 1e-9);
  const pad = 4;
  const x = (v: number) => pad + ((v - x0) / (x1 - x0 || 1)) * (width - 2 * pad);
  const y = (v: number) => pad + (1 - (Math.min(v, y1) - y0) / (y1 - y0)) * (height - 2 * pad - 12);
  const line = points.map(([lr, l]) => `${x(Math.log10(lr)).toFixed(1)},${y(l).toFixed(1)}`).join(' ');
  const mark = suggested !== null && suggested > 0 ? x(Math.log10(suggested)) : null;
  return (
    <svg
      className="lr-find-chart"
      width={width}
      height={height}
      viewBox={`0 0 ${width} ${height}`}
      data-testid="lr-find-chart"
      role="img"
      aria-label="Loss against learning rate (log scale)"
    >
      <polyline points={line} fill="none" strokeWidth={1.5} />
      {mark !== null && <line className="lr-find-mark" x1={mark} x2={mark} y1={0} y2={height - 12} />}
      <text x={pad} y={height - 1}>
        {points[0]![0].toExponential(0)}
      </text>
      <text x={width - pad} y={height - 1} textAnchor="end">
        {points.at(-1)![0].toExponential(0)}
      </text>
      <text x={width / 2} y={height - 1} textAnchor="middle">
        learning rate (log)
      </text>
    </svg>
  );
}
