/** Metrics on the validation rows: accuracy (classification), MAE and R² (regression). */

export function accuracy(truth: ArrayLike<number>, predicted: ArrayLike<number>): number {
  let ok = 0;
  for (let i = 0; i < truth.length; i++) if (truth[i] === predicted[i]) ok++;
  return truth.length ? ok / truth.length : NaN;
}

/**
 * MAE and R² over row-major targets of `columns` values each. R² is 1 − SSE / SST with SST taken
 * around each column's own mean (scikit-learn's "variance_weighted"): one column gives the usual
 * R²; many (an autoencoder's pixels) are not swamped by columns that barely vary. The engine's
 * `RegressionAccumulator` computes the same.
 */
export function regressionMetrics(
  truth: ArrayLike<number>,
  predicted: ArrayLike<number>,
  columns = 1,
): { mae: number; r2: number } {
  const n = truth.length;
  const rows = n / columns;
  const mean = new Float64Array(columns);
  for (let i = 0; i < n; i++) mean[i % columns]! += truth[i]! / rows;
  let abs = 0;
  let res = 0;
  let tot = 0;
  for (let i = 0; i < n; i++) {
    const e = truth[i]! - predicted[i]!;
    abs += Math.abs(e);
    res += e * e;
    tot += (truth[i]! - mean[i % columns]!) ** 2;
  }
  return { mae: abs / n, r2: tot > 0 ? 1 - res / tot : NaN };
}

/** The index of the largest value (the first, on ties). */
export function argmax(a: ArrayLike<number>): number {
  let best = 0;
  for (let c = 1; c < a.length; c++) if (a[c]! > a[best]!) best = c;
  return best;
}

/**
 * Classes of a classification run: the dataset's own names, else one more than the largest
 * training label; at least 2. (A loop: spreading a big set's labels into Math.max overflows the stack.)
 */
export function classCount(
  ds: { classes?: readonly string[] | undefined; y: ArrayLike<number> },
  trainCount: number,
): number {
  let k = Math.max(2, ds.classes?.length ?? 0);
  for (let i = 0; i < trainCount; i++) if (ds.y[i]! + 1 > k) k = ds.y[i]! + 1;
  return k;
}
