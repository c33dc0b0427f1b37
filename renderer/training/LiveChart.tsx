/**
 * A live line chart (uPlot) for training curves. Props in, nothing out but the log-scale toggle.
 *
 * Built for a flood of updates: every render only hands the latest series to a FrameBatcher, which
 * calls uPlot's `setData` at most once per animation frame and always with the newest data, so the
 * chart never falls behind the final value. Long series are downsampled (min/max per bucket) to keep
 * each frame cheap. The chart follows its container's width (ResizeObserver) and the editor's theme.
 * Pass new arrays (or at least re-render) when points are added.
 *
 * The folder's rule: renderer/training/ holds the training and evaluation views as presentational
 * components: props in, callbacks out, no store and no services (lib/ has their pure helpers). The
 * components that feed them from the store are in renderer/panels/.
 */
import { memo, useEffect, useRef, useState } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import {
  alignSeries,
  countPoints,
  defaultColorSlots,
  FrameBatcher,
  structureKey,
  type Point,
} from './lib/chartData';
import { seriesColor, withAlpha } from './lib/colors';
import { formatMetric } from './lib/format';
import { cssVar, useThemeVersion } from './useTheme';
import './training.css';

export interface ChartSeries {
  label: string;
  /** Any CSS colour usable on a canvas (hex recommended); default: the series palette. */
  color?: string;
  points: readonly Point[];
  /** Thin and translucent: for noisy per-batch values under the per-epoch line. */
  faint?: boolean;
  /** Dashed line (e.g. an overlaid earlier run). */
  dashed?: boolean;
}

export interface LiveChartProps {
  title: string;
  series: readonly ChartSeries[];
  xLabel: string;
  /** Initial (and, when it changes, imposed) state of the log-scale toggle. */
  logScale?: boolean;
  /** data-testid of the chart root; the toggle is `${testId}-log`. */
  testId: string;
  /** Plot height in pixels (the width follows the container). Default 200. */
  height?: number;
  onLogScaleChange?: (log: boolean) => void;
  /** Shown over the empty plot. */
  emptyText?: string;
}

function nearestValue(col: readonly (number | null | undefined)[], idx: number): number | undefined {
  for (let d = 0; d < 400; d++) {
    const a = col[idx - d];
    if (a !== null && a !== undefined) return a;
    const b = col[idx + d];
    if (b !== null && b !== undefined) return b;
    if (idx - d < 0 && idx + d >= col.length) break;
  }
  return undefined;
}

function finiteCount(col: ArrayLike<number | null | undefined> | undefined): number {
  let n = 0;
  if (col) for (let i = 0; i < col.length; i++) if (Number.isFinite(col[i])) n++;
  return n;
}

function lastValue(points: readonly Point[]): number | undefined {
  return points.length ? points[points.length - 1]![1] : undefined;
}

/** uPlot's options: axes in the theme's colours, one line per series (faint per-batch lines). */
function chartOptions(
  series: readonly ChartSeries[],
  o: {
    width: number;
    height: number;
    log: boolean;
    xLabel: string;
    root: HTMLElement | null;
    onCursor: (u: uPlot) => void;
  },
): uPlot.Options {
  const muted = cssVar(o.root, '--muted');
  const border = cssVar(o.root, '--border');
  const font = '11px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
  const axis: uPlot.Axis = {
    stroke: muted,
    font,
    labelFont: font,
    grid: { stroke: withAlpha(border, 0.9), width: 1 },
    ticks: { stroke: border, width: 1, size: 4 },
  };
  const slots = defaultColorSlots(series);
  return {
    width: o.width,
    height: o.height,
    legend: { show: false },
    scales: { x: { time: false }, y: o.log ? { distr: 3, log: 10 } : {} },
    axes: [
      { ...axis, label: o.xLabel, labelSize: 18, size: 30 },
      { ...axis, size: 52 },
    ],
    cursor: { drag: { x: true, y: false }, points: { size: 6 } },
    series: [
      { label: o.xLabel },
      ...series.map((s, i): uPlot.Series => {
        const color = s.color ?? seriesColor(slots[i]!);
        return {
          label: s.label,
          stroke: s.faint ? withAlpha(color, 0.3) : color,
          width: s.faint ? 1 : 2,
          spanGaps: true,
          ...(s.dashed ? { dash: [6, 4] } : {}),
          // Faint (per-batch) series draw no markers, unless they have too few points for a line
          // (a run that diverged at its second batch still shows where its loss was).
          points: s.faint
            ? { show: (self, si) => finiteCount(self.data[si]) < 3, size: 5, fill: color, stroke: color }
            : { size: 5, fill: color, stroke: color },
        };
      }),
    ],
    hooks: { setCursor: [o.onCursor] },
  };
}

/** The series' swatches and names, each with a value the chart writes (latest, or under the cursor). */
function Legend({
  series,
  valueRefs,
}: {
  series: readonly ChartSeries[];
  valueRefs: React.RefObject<(HTMLSpanElement | null)[]>;
}) {
  const slots = defaultColorSlots(series);
  return (
    <span className="live-chart-legend">
      {series.map((s, i) => (
        <span key={`${s.label}-${i}`} className={`live-chart-key${s.faint ? ' faint' : ''}`}>
          <i
            className={s.dashed ? 'dashed' : ''}
            style={{ '--swatch': s.color ?? seriesColor(slots[i]!) } as React.CSSProperties}
          />
          {s.label}{' '}
          <span
            className="mono live-chart-value"
            ref={(node) => {
              valueRefs.current[i] = node;
            }}
          />
        </span>
      ))}
    </span>
  );
}

export const LiveChart = memo(function LiveChart({
  title,
  series,
  xLabel,
  logScale,
  testId,
  height = 200,
  onLogScaleChange,
  emptyText = 'Waiting for the first batch…',
}: LiveChartProps) {
  const [log, setLog] = useState(logScale ?? false);
  useEffect(() => {
    if (logScale !== undefined) setLog(logScale);
  }, [logScale]);
  const theme = useThemeVersion();
  const rootRef = useRef<HTMLDivElement>(null);
  const plotRef = useRef<HTMLDivElement>(null);
  const batcherRef = useRef<FrameBatcher<readonly ChartSeries[]> | null>(null);
  const valueRefs = useRef<(HTMLSpanElement | null)[]>([]);
  const hoveringRef = useRef(false);
  const seriesRef = useRef(series);
  seriesRef.current = series;
  const key = structureKey(series);

  useEffect(() => {
    const el = plotRef.current;
    if (!el) return;
    const showLatest = (s: readonly ChartSeries[]) => {
      if (hoveringRef.current) return;
      s.forEach((one, i) => {
        const span = valueRefs.current[i];
        if (span) span.textContent = formatMetric(lastValue(one.points));
      });
    };
    const cur = seriesRef.current;
    const onCursor = (u: uPlot) => {
      const idx = u.cursor.idx;
      hoveringRef.current = idx !== null && idx !== undefined;
      if (!hoveringRef.current) return showLatest(seriesRef.current);
      seriesRef.current.forEach((_, i) => {
        const span = valueRefs.current[i];
        const col = u.data[i + 1] as (number | null | undefined)[] | undefined;
        if (span && col) span.textContent = formatMetric(nearestValue(col, idx!));
      });
    };
    const opts = chartOptions(cur, {
      width: el.clientWidth || 320,
      height,
      log,
      xLabel,
      root: rootRef.current,
      onCursor,
    });
    const u = new uPlot(opts, alignSeries(cur, { logScale: log }) as uPlot.AlignedData, el);
    showLatest(cur);
    const batcher = new FrameBatcher<readonly ChartSeries[]>(
      (s) => {
        u.setData(alignSeries(s, { logScale: log }) as uPlot.AlignedData);
        showLatest(s);
      },
      (cb) => requestAnimationFrame(cb),
      (h) => cancelAnimationFrame(h),
    );
    batcherRef.current = batcher;
    const ro = new ResizeObserver(() => {
      const w = Math.floor(el.clientWidth);
      if (w > 0 && w !== u.width) u.setSize({ width: w, height });
    });
    ro.observe(el);
    return () => {
      ro.disconnect();
      batcher.dispose();
      batcherRef.current = null;
      u.destroy();
    };
  }, [key, log, theme, xLabel, height]);

  // Every render: hand the latest data over; it is drawn on the next frame (once, however many came).
  useEffect(() => {
    batcherRef.current?.push(seriesRef.current);
  });

  const total = countPoints(series);
  return (
    <div className="live-chart" data-testid={testId} data-points={total} ref={rootRef}>
      <div className="live-chart-head">
        <span className="live-chart-title">{title}</span>
        <Legend series={series} valueRefs={valueRefs} />
        <label className="live-chart-log" title="Logarithmic y axis: makes late, small improvements visible">
          <input
            type="checkbox"
            data-testid={`${testId}-log`}
            checked={log}
            onChange={(e) => {
              setLog(e.target.checked);
              onLogScaleChange?.(e.target.checked);
            }}
          />
          log
        </label>
      </div>
      <div className="live-chart-body" style={{ minHeight: height }}>
        <div className="live-chart-plot" ref={plotRef} />
        {total === 0 && <div className="live-chart-empty muted">{emptyText}</div>}
      </div>
    </div>
  );
});
