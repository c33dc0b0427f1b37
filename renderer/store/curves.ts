/** The training curves and the small pure helpers of the training slice. */
import type { Grid } from '../../shared/ipc/contract';
import type { RunSummary } from '../../shared/ir/schema';
import type { LayerEpoch } from '../../shared/inspect/layerStats';
import type { EpochEndEvent, ProgressEvent, TrainingEvent } from '../../shared/training/protocol';

export type Point = [number, number];

export interface Curves {
  batchLoss: Point[];
  epochLoss: Point[];
  valLoss: Point[];
  batchMetric: Point[];
  epochMetric: Point[];
  valMetric: Point[];
  /** accuracy (classification) or mae (regression). */
  metricName: 'accuracy' | 'mae';
}

export const emptyCurves = (metricName: Curves['metricName'] = 'accuracy'): Curves => ({
  batchLoss: [],
  epochLoss: [],
  valLoss: [],
  batchMetric: [],
  epochMetric: [],
  valMetric: [],
  metricName,
});

const plus = (points: Point[], x: number, y: number | undefined): Point[] =>
  y === undefined ? points : [...points, [x, y]];

/** A batch's loss and metric join the faint per-batch lines. */
export function withProgress(c: Curves, e: ProgressEvent): Curves {
  const x = e.epoch - 1 + e.batch / Math.max(1, e.batches);
  return {
    ...c,
    batchLoss: plus(c.batchLoss, x, e.metrics.loss),
    batchMetric: plus(c.batchMetric, x, e.metrics[c.metricName]),
  };
}

/** An epoch's training and validation values join the per-epoch lines. */
export function withEpochEnd(c: Curves, e: EpochEndEvent): Curves {
  const m = c.metricName;
  return {
    ...c,
    epochLoss: plus(c.epochLoss, e.epoch, e.metrics.loss),
    valLoss: plus(c.valLoss, e.epoch, e.valMetrics.loss),
    epochMetric: plus(c.epochMetric, e.epoch, e.metrics[m]),
    valMetric: plus(c.valMetric, e.epoch, e.valMetrics[m]),
  };
}

export const epochEnds = (events: readonly TrainingEvent[]): EpochEndEvent[] =>
  events.filter((e): e is EpochEndEvent => e.type === 'epochEnd');

/** An epoch's layer statistics (and whether a snapshot of it is kept), if it has them. */
export const layerEpoch = (e: EpochEndEvent): LayerEpoch[] =>
  e.layers
    ? [
        {
          epoch: e.epoch,
          layers: e.layers,
          ...(e.checkpointBytes !== undefined ? { checkpointBytes: e.checkpointBytes } : {}),
        },
      ]
    : [];

/** A saved run's per-epoch curves (no per-batch values are kept). */
export function curvesOf(events: readonly TrainingEvent[], metricName: Curves['metricName']): Curves {
  let curves = emptyCurves(metricName);
  for (const e of epochEnds(events)) curves = withEpochEnd(curves, e);
  return curves;
}

/** A grid a little larger than the data, for the decision boundary. */
export function gridFor(points: readonly [number, number, number][], n = 60): Grid | null {
  if (points.length === 0) return null;
  let x0 = Infinity;
  let x1 = -Infinity;
  let y0 = Infinity;
  let y1 = -Infinity;
  for (const [x, y] of points) {
    x0 = Math.min(x0, x);
    x1 = Math.max(x1, x);
    y0 = Math.min(y0, y);
    y1 = Math.max(y1, y);
  }
  const px = (x1 - x0) * 0.08 || 1;
  const py = (y1 - y0) * 0.08 || 1;
  return { x0: x0 - px, x1: x1 + px, y0: y0 - py, y1: y1 + py, n };
}

/** True when the positive values span more than three orders of magnitude. */
export function spansDecades(points: readonly Point[]): boolean {
  let lo = Infinity;
  let hi = 0;
  for (const [, y] of points)
    if (Number.isFinite(y) && y > 0) {
      lo = Math.min(lo, y);
      hi = Math.max(hi, y);
    }
  return hi > 0 && hi / lo > 1e3;
}

/** A run as the user knows it: its number in the project and when it started, never its id. */
export function runLabel(runs: readonly RunSummary[], runId: string): string {
  const i = runs.findIndex((r) => r.id === runId);
  const r = runs[i];
  if (!r) return 'that run';
  const when = new Date(r.startedAt);
  const time = Number.isNaN(when.getTime())
    ? ''
    : ` (${when.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' })})`;
  return `run ${i + 1}${time}`;
}

export const errorText = (err: unknown): string => (err instanceof Error ? err.message : String(err));
