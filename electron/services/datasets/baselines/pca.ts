/**
 * The autoencoder's baseline: principal component analysis with as many components as the network's
 * bottleneck has values — the best a linear encoder and decoder of that width can do (a linear
 * autoencoder learns the same subspace). Fitted on the training rows, scored on the validation rows.
 *
 * The covariance comes from at most `MAX_FIT_ROWS` training rows (the rows are in a seeded random
 * order, so the first ones are a fair sample); its leading subspace from subspace iteration. A full
 * eigen-decomposition (ml-pca, tried) takes 14–16 s on MNIST's 784 values against ~1 s here, and only
 * `k` of the 784 directions are wanted.
 */
import { createRng } from '../../../../shared/random';
import { checkAborted, yieldToEventLoop } from '../errors';
import { regressionMetrics } from './metrics';
import type { BaselineRun, Rung } from './types';

const MAX_FIT_ROWS = 2000;
/** Values per sample PCA is fitted for: its covariance holds this squared (4096² doubles = 134 MB). */
export const MAX_PCA_VALUES = 4096;
const ITERATIONS = 40;

/** The `k` leading eigenvectors' span of the symmetric `d × d` matrix `c`, as `k` orthonormal columns (row-major d × k). */
export async function leadingSubspace(
  c: Float64Array,
  d: number,
  k: number,
  seed: number,
  signal?: AbortSignal,
): Promise<Float64Array> {
  const rng = createRng(seed, 'pca');
  const q = Float64Array.from({ length: d * k }, () => rng.normal());
  orthonormalise(q, d, k);
  const z = new Float64Array(d * k);
  for (let it = 0; it < ITERATIONS; it++) {
    z.fill(0);
    for (let i = 0; i < d; i++)
      for (let j = 0; j < d; j++) {
        const cij = c[i * d + j]!;
        if (cij === 0) continue;
        for (let m = 0; m < k; m++) z[i * k + m]! += cij * q[j * k + m]!;
      }
    orthonormalise(z, d, k);
    q.set(z);
    if (it % 8 === 7) {
      checkAborted(signal, 'Baselines');
      await yieldToEventLoop();
    }
  }
  return q;
}

/** Modified Gram-Schmidt on the columns of a row-major d × k matrix (a column that vanishes is left at 0). */
function orthonormalise(a: Float64Array, d: number, k: number): void {
  for (let m = 0; m < k; m++) {
    for (let p = 0; p < m; p++) {
      let dot = 0;
      for (let i = 0; i < d; i++) dot += a[i * k + m]! * a[i * k + p]!;
      for (let i = 0; i < d; i++) a[i * k + m]! -= dot * a[i * k + p]!;
    }
    let norm = 0;
    for (let i = 0; i < d; i++) norm += a[i * k + m]! ** 2;
    norm = Math.sqrt(norm);
    for (let i = 0; i < d; i++) a[i * k + m] = norm > 1e-12 ? a[i * k + m]! / norm : 0;
  }
}

/** PCA reconstruction with `components` components, scored like the network (MAE, R²). */
export async function pcaReconstruction(run: BaselineRun, components: number): Promise<Rung> {
  const { ds, trainCount, seed, options } = run;
  const d = ds.targetSize;
  const k = Math.max(1, Math.min(components, d, trainCount));
  const x = ds.x;
  const mean = new Float64Array(d);
  for (let r = 0; r < trainCount; r++) for (let i = 0; i < d; i++) mean[i]! += x[r * d + i]! / trainCount;
  const fitRows = Math.min(trainCount, MAX_FIT_ROWS);
  const cov = new Float64Array(d * d);
  const v = new Float64Array(d);
  for (let r = 0; r < fitRows; r++) {
    for (let i = 0; i < d; i++) v[i] = x[r * d + i]! - mean[i]!;
    for (let i = 0; i < d; i++) {
      const vi = v[i]!;
      if (vi === 0) continue;
      for (let j = i; j < d; j++) cov[i * d + j]! += vi * v[j]!;
    }
    if (r % 256 === 255) {
      checkAborted(options.signal, 'Baselines');
      await yieldToEventLoop();
    }
  }
  for (let i = 0; i < d; i++) for (let j = 0; j < i; j++) cov[i * d + j] = cov[j * d + i]!;
  const q = await leadingSubspace(cov, d, k, seed, options.signal);
  const valRows = ds.count - trainCount;
  const pred = new Float32Array(valRows * d);
  const coeff = new Float64Array(k);
  for (let r = 0; r < valRows; r++) {
    const row = (trainCount + r) * d;
    coeff.fill(0);
    for (let i = 0; i < d; i++) {
      const c = x[row + i]! - mean[i]!;
      for (let m = 0; m < k; m++) coeff[m]! += c * q[i * k + m]!;
    }
    for (let i = 0; i < d; i++) {
      let s = mean[i]!;
      for (let m = 0; m < k; m++) s += q[i * k + m]! * coeff[m]!;
      pred[r * d + i] = s;
    }
  }
  return {
    id: 'pca',
    label: `PCA, ${k} components`,
    task: 'regression',
    metrics: regressionMetrics(x.subarray(trainCount * d), pred, d),
    note:
      `A linear encoder and decoder as narrow as the network's bottleneck (${k} values): the best ` +
      `a linear autoencoder can do. Fitted on ${fitRows.toLocaleString('en-US')} training rows.`,
  };
}
