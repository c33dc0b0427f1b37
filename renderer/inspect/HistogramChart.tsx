/**
 * A histogram (equal-width bins over [min, max]) as SVG bars with its range written under it: the
 * weights or gradients of one layer at one epoch. Props in, nothing else.
 */
import type { Histogram } from '../../shared/inspect/layerStats';

export interface HistogramChartProps {
  histogram: Histogram;
  title: string;
  testId?: string;
  width?: number;
  height?: number;
}

const fmt = (v: number) =>
  v === 0 ? '0' : Math.abs(v) >= 0.01 && Math.abs(v) < 1000 ? v.toFixed(3) : v.toExponential(1);

export function HistogramChart({ histogram, title, testId, width = 220, height = 56 }: HistogramChartProps) {
  const { counts, min, max } = histogram;
  const top = Math.max(1, ...counts);
  const w = width / Math.max(1, counts.length);
  const total = counts.reduce((a, b) => a + b, 0);
  // Where zero falls, when the range spans it (weights should centre on it).
  const zero = min < 0 && max > 0 ? ((0 - min) / (max - min)) * width : null;
  return (
    <figure className="histogram" data-testid={testId}>
      <figcaption>
        {title} <span className="muted">({total.toLocaleString()} values)</span>
      </figcaption>
      <svg width={width} height={height} viewBox={`0 0 ${width} ${height}`} role="img" aria-label={title}>
        {counts.map((c, i) => {
          const h = c === 0 ? 0 : Math.max(1, (c / top) * (height - 2));
          return (
            <rect key={i} x={i * w + 0.5} y={height - h} width={Math.max(1, w - 1)} height={h}>
              <title>{`${fmt(min + ((max - min) * i) / counts.length)} to ${fmt(min + ((max - min) * (i + 1)) / counts.length)}: ${c}`}</title>
            </rect>
          );
        })}
        {zero !== null && <line className="histogram-zero" x1={zero} x2={zero} y1={0} y2={height} />}
      </svg>
      <div className="histogram-range mono muted">
        <span>{fmt(min)}</span>
        <span>{fmt(max)}</span>
      </div>
    </figure>
  );
}
