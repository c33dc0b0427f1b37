/**
 * Numbers the model can compute with. It computes in 32-bit floats, so nothing may reach x or y as
 * Infinity, NaN or a silently flattened value: the limits, statistics computed on the 64-bit values
 * scaled by the largest magnitude (so tiny or offset columns standardise exactly), and the checks on
 * numbers that reach the model unstandardised.
 */
import { DatasetError } from '../errors';
import type { GrowableInt32 } from '../growable';
import { q, type NumericStore } from './store';

/** Statistics in messages: four significant digits. */
export const fmt = (v: number) => String(Number(v.toPrecision(4)));

/** The largest 32-bit float: the model computes in float32, so nothing beyond it may reach x or y. */
const FLOAT32_MAX = 3.4028234663852886e38;
/** The smallest normal 32-bit float: a squared error below it vanishes (underflows). */
const FLOAT32_MIN_NORMAL = 1.1754943508222875e-38;
/** The smallest normal 64-bit float: a standard deviation below it has lost its precision. */
export const FLOAT64_MIN_NORMAL = 2.2250738585072014e-308;
export const FLOAT32_RANGE = 'the 32-bit floats the model computes in (±3.4028235e38)';
export const rescale = (s: { isTarget: boolean }) =>
  `Rescale the column (e.g. take a logarithm) or ${s.isTarget ? 'choose another target' : 'drop it'}.`;

/**
 * Mean and standard deviation (population) of `value(r)` for r in `rows`, skipping NaN; NaN when none.
 * Welford's update on the values divided by their largest magnitude, so that no difference or square
 * overflows (1e300) or underflows to 0 (1e-300); `varies` tells whether the values differ at all.
 */
export function meanStd(
  value: (row: number) => number,
  rows: Int32Array,
): { mean: number; std: number; varies: boolean } {
  let scale = 0;
  for (const r of rows) {
    const a = Math.abs(value(r));
    if (a > scale) scale = a;
  }
  let count = 0;
  let mean = 0;
  let m2 = 0;
  for (const r of rows) {
    const v = value(r);
    if (v !== v) continue;
    const u = scale > 0 ? v / scale : 0;
    count++;
    const d = u - mean;
    mean += d / count;
    m2 += d * (u - mean);
  }
  if (count === 0) return { mean: NaN, std: NaN, varies: false };
  return { mean: mean * scale, std: Math.sqrt(m2 / count) * scale, varies: m2 > 0 };
}

/**
 * Numbers that reach the model as they are (regression targets; features when standardisation is
 * off) must survive rounding to 32 bits: a value too small for float32 becomes 0 or loses digits,
 * which matters when the column's values are all that small. With `trainingRows` (a regression
 * target to train on), squared errors at the column's scale must be normal 32-bit floats: their sum
 * over the rows (what the loss adds up) must not overflow, nor the squares of its spread underflow
 * to 0. Refuses the first offending row in the file.
 */
export function checkRaw(s: NumericStore, lines: GrowableInt32, trainingRows?: number): void {
  const v = s.values;
  const range = s.max - s.min;
  const limit = trainingRows ? Math.sqrt(FLOAT32_MAX / trainingRows) / 2 : Infinity;
  const where = (r: number) => {
    const line = lines.view()[r]!;
    return { line, at: `line ${line}, column ${q(s.name)}${s.isTarget ? ' (the target)' : ''}` };
  };
  let maxRow = -1;
  for (let r = 0; r < v.length; r++) {
    const a = v.get(r);
    if (a !== a) continue;
    if (maxRow < 0 && a === s.max) maxRow = r;
    if (Math.abs(a) > limit) {
      const { line, at } = where(r);
      throw new DatasetError(
        'out-of-range',
        `${at}: ${a} is too large a regression target for training in 32-bit floats: squared errors of that size, summed over the ${trainingRows} rows, overflow them (here targets must stay within ±${fmt(limit)}). Rescale the column (e.g. divide it by a power of ten, or take a logarithm) and scale the predictions back.`,
        line,
        s.name,
      );
    }
    const err = Math.abs(Math.fround(a) - a);
    if (err > 1e-6 * Math.abs(a) && err > 1e-3 * range) {
      const { line, at } = where(r);
      throw new DatasetError(
        'out-of-range',
        `${at}: ${a} is too small for the 32-bit floats the model computes in (it would become ${Math.fround(a)}), and the column's values differ by only ${fmt(range)}. Rescale the column (e.g. multiply it by a power of ten, or take a logarithm)${s.isTarget ? '' : ', or turn standardisation on'}.`,
        line,
        s.name,
      );
    }
  }
  if (trainingRows && range > 0 && (range / 2) ** 2 < FLOAT32_MIN_NORMAL) {
    const { line, at } = where(maxRow);
    throw new DatasetError(
      'out-of-range',
      `${at}: the target's values differ by only ${fmt(range)} (from ${s.min} to ${s.max} here): squared errors that small vanish (underflow to 0) in the 32-bit floats the model computes in, so it would learn nothing. Rescale the column (e.g. multiply it by a power of ten, or take a logarithm) and scale the predictions back.`,
      line,
      s.name,
    );
  }
}
