/** Metrics on the validation rows: accuracy (classification), MAE and R² (regression). */

export function accuracy(truth: ArrayLike<number>, predicted: ArrayLike<number>): number {
  let ok = 0;
  for (let i = 0; i < truth.length; i++) if (truth[i] === predicted[i]) ok++;
  return truth.length ? ok / truth.length : NaN;
}

/** MAE and R² over all values (multi-output targets pooled); R² = 1 − SS_res / SS_tot. */
export function regressionMetrics(
  truth: ArrayLike<number>,
  predicted: ArrayLike<number>,
): { mae: number; r2: number } {
  const n = truth.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += truth[i]!;
  mean /= n;
  let abs = 0;
  let res = 0;
  let tot = 0;
  for (let i = 0; i < n; i++) {
    const e = truth[i]! - predicted[i]!;
    abs += Math.abs(e);
    res += e * e;
    tot += (truth[i]! - mean) ** 2;
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
