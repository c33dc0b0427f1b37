/**
 * Regression results: predicted against actual values for the validation rows, with the diagonal a
 * perfect model would sit on, and R² and MAE.
 */
import { usePanelCanvas } from './canvas';
import { seriesColor, withAlpha } from './lib/colors';
import { formatMetric } from './lib/format';
import { cssVar } from './useTheme';
import './training.css';

export interface RegressionScatterProps {
  /** [actual, predicted] pairs. */
  points: readonly (readonly [number, number])[];
  r2?: number;
  mae?: number;
  size?: number;
}

export function RegressionScatter({ points, r2, mae, size = 260 }: RegressionScatterProps) {
  const ref = usePanelCanvas(
    size,
    (ctx, px, dpr, c) => {
      let lo = Infinity;
      let hi = -Infinity;
      for (const [a, p] of points)
        for (const v of [a, p])
          if (Number.isFinite(v)) {
            lo = Math.min(lo, v);
            hi = Math.max(hi, v);
          }
      if (!Number.isFinite(lo)) return;
      const pad = (hi - lo || 1) * 0.05;
      lo -= pad;
      hi += pad;
      const at = (v: number) => ((v - lo) / (hi - lo)) * px;
      ctx.strokeStyle = cssVar(c, '--muted');
      ctx.setLineDash([5 * dpr, 4 * dpr]);
      ctx.lineWidth = dpr;
      ctx.beginPath();
      ctx.moveTo(0, px);
      ctx.lineTo(px, 0);
      ctx.stroke();
      ctx.setLineDash([]);
      ctx.fillStyle = withAlpha(seriesColor(0), 0.55);
      const r = (points.length > 800 ? 1.8 : 2.6) * dpr;
      for (const [a, p] of points) {
        if (!Number.isFinite(a) || !Number.isFinite(p)) continue;
        ctx.beginPath();
        ctx.arc(at(a), px - at(p), r, 0, Math.PI * 2);
        ctx.fill();
      }
    },
    [points],
  );
  return (
    <figure className="regression-scatter" data-testid="regression-scatter">
      <canvas
        ref={ref}
        style={{ width: size, height: size }}
        role="img"
        aria-label="Predicted against actual values; a perfect model sits on the diagonal"
      />
      <figcaption>
        <span className="muted">x: actual · y: predicted · dashed: perfect</span>
        <span>
          R²{' '}
          <strong className="mono" data-testid="metric-r2">
            {formatMetric(r2)}
          </strong>
        </span>
        <span>
          MAE{' '}
          <strong className="mono" data-testid="metric-mae">
            {formatMetric(mae)}
          </strong>
        </span>
      </figcaption>
    </figure>
  );
}
