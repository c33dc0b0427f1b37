/**
 * What evaluating a trained project produces (CLI `evaluate`, the app's evaluation view): the
 * network's metrics on the validation rows, the confusion matrix and per-class scores, examples it
 * got wrong, and the baseline ladder on the same split with a plain verdict.
 */
import type { Task } from './data';

export interface ClassScore {
  class: string;
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

export interface BaselineRow {
  id: string;
  label: string;
  /** accuracy (classification) or mae and r2 (regression), on the same validation rows. */
  metrics: Record<string, number>;
  trainMs: number;
  note?: string;
}

export interface Misclassified {
  /** Row index in the dataset. */
  index: number;
  truth: number;
  predicted: number;
  probabilities: number[];
  /** The input values (tabular rows, or pixels of small images), for showing the example. */
  input?: number[];
}

export interface Evaluation {
  task: Task;
  dataset: string;
  trainCount: number;
  validationCount: number;
  /** accuracy, loss (classification); mae, r2, mse (regression). */
  metrics: Record<string, number>;
  classes?: string[];
  /** confusion[truth][predicted] = count; totals equal validationCount. */
  confusion?: number[][];
  perClass?: ClassScore[];
  misclassified?: Misclassified[];
  /** [actual, predicted] pairs for regression (at most 2,000). */
  scatter?: [number, number][];
  baselines: BaselineRow[];
  verdict: string;
  backend: string;
}

/** The plain-words verdict on whether a network was worth it (the guide's "when NNs are overkill"). */
export function verdict(
  task: Task,
  network: Record<string, number>,
  baselines: readonly BaselineRow[],
): string {
  const useful = baselines.filter((b) => b.id !== 'majority');
  if (useful.length === 0) return 'No baseline could be trained on this data.';
  if (task === 'classification') {
    const net = network.accuracy ?? NaN;
    const best = useful.reduce((a, b) => ((b.metrics.accuracy ?? 0) > (a.metrics.accuracy ?? 0) ? b : a));
    const b = best.metrics.accuracy ?? NaN;
    const pts = (x: number) => `${(x * 100).toFixed(1)}%`;
    const gap = (net - b) * 100;
    if (!Number.isFinite(net)) return 'Train the network to compare it with the baselines.';
    if (gap < -1)
      return `The ${best.label.toLowerCase()} beats your network (${pts(b)} vs ${pts(net)}) with no training curve to tune. Start there, or give the network more data, epochs or a better architecture.`;
    if (gap <= 1)
      return `The ${best.label.toLowerCase()} matches your network within 1 point (${pts(b)} vs ${pts(net)}) with no training curve to tune: for tabular data this small, start there.`;
    if (gap <= 5)
      return `Your network beats the best baseline (${best.label.toLowerCase()}, ${pts(b)}) by ${gap.toFixed(1)} points (${pts(net)}). Worth it if those points matter; the baseline is simpler to explain and to train.`;
    return `Your network clearly beats the baselines: ${pts(net)} against ${pts(b)} for the ${best.label.toLowerCase()}. This is data where a neural network earns its keep.`;
  }
  const net = network.r2 ?? NaN;
  const best = useful.reduce((a, b) => ((b.metrics.r2 ?? -Infinity) > (a.metrics.r2 ?? -Infinity) ? b : a));
  const b = best.metrics.r2 ?? NaN;
  if (!Number.isFinite(net)) return 'Train the network to compare it with the baselines.';
  if (net < b - 0.01)
    return `The ${best.label.toLowerCase()} fits better (R² ${b.toFixed(3)} vs ${net.toFixed(3)}): start there.`;
  if (net <= b + 0.02)
    return `The ${best.label.toLowerCase()} is as good (R² ${b.toFixed(3)} vs ${net.toFixed(3)}) and far simpler: a network is overkill here.`;
  return `Your network fits better than the baselines (R² ${net.toFixed(3)} vs ${b.toFixed(3)} for the ${best.label.toLowerCase()}).`;
}
