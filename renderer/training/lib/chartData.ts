/**
 * The live chart's data path, kept free of the DOM so it can be tested: turning per-series point
 * lists into uPlot's aligned columns, bounding the work per frame by downsampling, and coalescing a
 * flood of updates into at most one redraw per animation frame (always ending on the latest value).
 */

export type Point = readonly [x: number, y: number];

export interface ChartSeriesData {
  label: string;
  points: readonly Point[];
}

/** At most this many points per series reach the plot (min/max per bucket keeps spikes visible). */
export const MAX_POINTS_PER_SERIES = 2000;

/**
 * Reduces `points` (sorted by x) to at most about `max` points: the range is cut into buckets and each
 * bucket keeps its lowest and highest point, in x order. The first and the last points are always
 * kept, so the plot ends exactly on the latest value.
 */
export function downsample(points: readonly Point[], max = MAX_POINTS_PER_SERIES): readonly Point[] {
  const n = points.length;
  if (n <= max || max < 4) return points;
  const buckets = Math.floor((max - 2) / 2);
  const inner = n - 2;
  const out: Point[] = [points[0]!];
  for (let b = 0; b < buckets; b++) {
    const start = 1 + Math.floor((b * inner) / buckets);
    const end = 1 + Math.floor(((b + 1) * inner) / buckets);
    if (end <= start) continue;
    let lo = start;
    let hi = start;
    for (let i = start + 1; i < end; i++) {
      const y = points[i]![1];
      if (y < points[lo]![1] || Number.isNaN(points[lo]![1])) lo = i;
      if (y > points[hi]![1] || Number.isNaN(points[hi]![1])) hi = i;
    }
    if (lo === hi) out.push(points[lo]!);
    else if (lo < hi) out.push(points[lo]!, points[hi]!);
    else out.push(points[hi]!, points[lo]!);
  }
  out.push(points[n - 1]!);
  return out;
}

/** True when x never decreases. */
function sortedByX(points: readonly Point[]): boolean {
  for (let i = 1; i < points.length; i++) if (points[i]![0] < points[i - 1]![0]) return false;
  return true;
}

/**
 * uPlot's aligned data: one shared, sorted x column, then one y column per series with `null` where
 * that series has no point at that x (drawn with `spanGaps`). Non-finite y values become `null`, as do
 * values ≤ 0 on a log scale (they have no place there).
 */
export function alignSeries(
  series: readonly ChartSeriesData[],
  opts: { logScale?: boolean; maxPoints?: number } = {},
): [number[], ...(number | null)[][]] {
  const max = opts.maxPoints ?? MAX_POINTS_PER_SERIES;
  const prepared = series.map((s) => {
    const pts = sortedByX(s.points) ? s.points : [...s.points].sort((a, b) => a[0] - b[0]);
    return downsample(
      pts.filter((p) => Number.isFinite(p[0])),
      max,
    );
  });
  const xs: number[] = [];
  for (const pts of prepared) for (const p of pts) xs.push(p[0]);
  xs.sort((a, b) => a - b);
  const unique: number[] = [];
  for (const x of xs) if (unique.length === 0 || unique[unique.length - 1] !== x) unique.push(x);
  const index = new Map<number, number>();
  unique.forEach((x, i) => index.set(x, i));
  const cols = prepared.map((pts) => {
    const col: (number | null)[] = new Array<number | null>(unique.length).fill(null);
    for (const [x, y] of pts) {
      const ok = Number.isFinite(y) && (!opts.logScale || y > 0);
      col[index.get(x)!] = ok ? y : null;
    }
    return col;
  });
  return [unique, ...cols];
}

/** Total number of points over all series (the chart's `data-points`). */
export function countPoints(series: readonly { points: readonly unknown[] }[]): number {
  let n = 0;
  for (const s of series) n += s.points.length;
  return n;
}

/** A key that changes when the chart must be rebuilt rather than just given new data. */
export function structureKey(
  series: readonly { label: string; color?: string | undefined; faint?: boolean | undefined }[],
): string {
  return series.map((s) => `${s.label}\u0000${s.color ?? ''}\u0000${s.faint ? 1 : 0}`).join('\u0001');
}

/**
 * Coalesces values pushed at any rate into at most one `flush` per scheduled frame, always with the
 * latest value: 1,000 pushes between two frames cost one redraw, and the last push is never lost.
 * `schedule`/`cancel` are `requestAnimationFrame`/`cancelAnimationFrame` in the app, fakes in tests.
 */
export class FrameBatcher<T> {
  private pending: { value: T } | null = null;
  private handle: number | null = null;
  private disposed = false;
  /** Number of flushes so far (tests, diagnostics). */
  flushes = 0;

  constructor(
    private readonly flush: (value: T) => void,
    private readonly schedule: (cb: () => void) => number,
    private readonly cancel: (handle: number) => void,
  ) {}

  push(value: T): void {
    if (this.disposed) return;
    this.pending = { value };
    if (this.handle === null) this.handle = this.schedule(() => this.run());
  }

  /** Flushes the pending value now (e.g. before tearing the chart down or when rebuilding it). */
  flushNow(): void {
    if (this.handle !== null) this.cancel(this.handle);
    this.run();
  }

  get hasPending(): boolean {
    return this.pending !== null;
  }

  dispose(): void {
    if (this.handle !== null) this.cancel(this.handle);
    this.handle = null;
    this.pending = null;
    this.disposed = true;
  }

  private run(): void {
    this.handle = null;
    const p = this.pending;
    if (!p || this.disposed) return;
    this.pending = null;
    this.flushes++;
    this.flush(p.value);
  }
}

/**
 * Palette slots for series without a colour: a faint (per-batch) series shares the slot of the solid
 * series that follows it (its per-epoch line), so `[loss (batch), loss, val loss]` is blue, blue, orange.
 */
export function defaultColorSlots(series: readonly { faint?: boolean | undefined }[]): number[] {
  let solid = 0;
  return series.map((s) => (s.faint ? solid : solid++));
}
