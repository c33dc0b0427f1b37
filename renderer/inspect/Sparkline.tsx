/**
 * A sparkline: one series of values (null: no value that epoch) as a small SVG line, on a log scale
 * when asked (gradient norms span decades), with an optional marker at one index (the scrubbed
 * epoch). Props in, nothing else.
 */
export interface SparklineProps {
  values: readonly (number | null)[];
  width: number;
  height: number;
  log?: boolean;
  /** Index of a point to mark. */
  mark?: number | undefined;
  title?: string;
  testId?: string;
}

export function Sparkline({ values, width, height, log, mark, title, testId }: SparklineProps) {
  const ys = values.map((v) =>
    v === null || !Number.isFinite(v) || (log && v <= 0) ? null : log ? Math.log10(v) : v,
  );
  const present = ys.filter((v): v is number => v !== null);
  const lo = Math.min(...present);
  const hi = Math.max(...present);
  const span = hi - lo || 1;
  const x = (i: number) => (values.length > 1 ? (i / (values.length - 1)) * (width - 4) + 2 : width / 2);
  const y = (v: number) => height - 2 - ((v - lo) / span) * (height - 4);
  const points = ys.flatMap((v, i) => (v === null ? [] : [`${x(i).toFixed(1)},${y(v).toFixed(1)}`]));
  const marked = mark !== undefined ? ys[mark] : undefined;
  return (
    <svg
      className="sparkline"
      width={width}
      height={height}
      viewBox={`0 0 ${width} ${height}`}
      data-testid={testId}
      role="img"
      aria-label={title}
    >
      {title && <title>{title}</title>}
      {points.length > 1 && <polyline points={points.join(' ')} fill="none" strokeWidth={1.5} />}
      {points.length === 1 && <circle cx={x(ys.findIndex((v) => v !== null))} cy={height / 2} r={2} />}
      {marked !== undefined && marked !== null && (
        <circle className="sparkline-mark" cx={x(mark!)} cy={y(marked)} r={2.5} />
      )}
    </svg>
  );
}
