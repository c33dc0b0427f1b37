/**
 * What inspecting a trained network on one sample gives: per node of the model, its activation for
 * that sample (shape without the batch axis, summary statistics, the values), and for attention
 * nodes the attention weights per head. The CLI (`netloom inspect --json`), the IPC contract and the
 * renderer's probe views all use these types.
 */

/** Activations up to this many elements carry their values (larger ones only their statistics). */
export const MAX_INSPECT_VALUES = 100_000;

export interface ActivationStats {
  min: number;
  max: number;
  mean: number;
  /** Population standard deviation over all elements. */
  std: number;
  /** Fraction of elements exactly 0 (dead ReLU units, padding). */
  zeroFraction: number;
}

/** Values as nested arrays following `shape` (a number for a shape of []). */
export type Nested = number | Nested[];

export interface NodeActivation {
  id: string;
  kind: string;
  /** The activation's shape for one sample (no batch axis). */
  shape: number[];
  stats: ActivationStats;
  /** The whole activation, nested per `shape`; absent above `MAX_INSPECT_VALUES` elements. */
  values?: Nested;
  /** Attention nodes: weights [heads][query][key], each row summing to 1. */
  attention?: number[][][];
  /** Attention nodes on text: the word of each position (query and key axes). */
  tokens?: string[];
  /** LSTM / GRU: each gate's values over time, [time][unit] (input, forget, output / update, reset). */
  gates?: { name: string; values: number[][] }[];
  /** LSTM / GRU that return only their last state: the hidden state at every step, [time][unit]. */
  states?: number[][];
}

export interface InspectSample {
  /** Row of the project's dataset (0-based), when the sample comes from it. */
  index?: number;
  /** The CSV and row (0-based data row) when the sample comes from a file. */
  file?: string;
  row?: number;
  /** Whether the row is in the validation split. */
  validation?: boolean;
  /** Classification: the true class index and name. */
  truth?: number;
  truthLabel?: string;
  /** Regression: the target values. */
  target?: number[];
}

export interface InspectResult {
  sample: InspectSample;
  /** Text input: the words of the sample, one per position (`<pad>`, `<unk>` included). */
  tokens?: string[];
  /** Classification: class names, index = class id (for the Output node's probabilities). */
  classes?: string[];
  /** The sample as the first input sees it, flattened (images, tabular rows), up to 4,096 values. */
  input?: number[];
  inputShape: number[];
  nodes: NodeActivation[];
  backend: string;
}

/** Side of the coarse grid over the input plane that per-unit heatmaps are computed on. */
export const UNIT_GRID_N = 20;
/** Per-unit heatmaps are drawn for at most this many units of a layer. */
export const MAX_UNIT_MAPS = 16;

/**
 * One layer's units over the input plane (2-D data): for each of its first `units` units, its
 * output at each point of the UNIT_GRID_N × UNIT_GRID_N grid (row-major, top row first).
 */
export interface UnitGrid {
  id: string;
  /** Units of the layer in all. */
  total: number;
  /** values[u][point] for the first min(total, MAX_UNIT_MAPS) units. */
  values: number[][];
}

/** Statistics of a block of values (NaN-free input assumed; NaN propagates to mean and std). */
export function activationStats(values: ArrayLike<number>): ActivationStats {
  const n = values.length;
  if (n === 0) return { min: 0, max: 0, mean: 0, std: 0, zeroFraction: 0 };
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  let zeros = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
    if (v === 0) zeros++;
  }
  const mean = sum / n;
  let sq = 0;
  for (let i = 0; i < n; i++) sq += (values[i]! - mean) ** 2;
  return { min, max, mean, std: Math.sqrt(sq / n), zeroFraction: zeros / n };
}

/** Row-major values as nested arrays of `shape`. */
export function nest(values: ArrayLike<number>, shape: readonly number[]): Nested {
  if (shape.length === 0) return values[0] ?? 0;
  const build = (axis: number, offset: number): Nested[] => {
    const size = shape[axis]!;
    const stride = shape.slice(axis + 1).reduce((a, d) => a * d, 1);
    const out: Nested[] = [];
    for (let i = 0; i < size; i++)
      out.push(axis === shape.length - 1 ? values[offset + i]! : build(axis + 1, offset + i * stride));
    return out;
  };
  return build(0, 0);
}

/** Nested values back to a flat row-major array. */
export function flatten(values: Nested | undefined): number[] {
  if (values === undefined) return [];
  if (typeof values === 'number') return [values];
  const out: number[] = [];
  const walk = (v: Nested): void => {
    if (typeof v === 'number') out.push(v);
    else for (const c of v) walk(c);
  };
  walk(values);
  return out;
}
