/**
 * How each input column becomes numbers (its `FeatureTransform`), from the TRAINING rows only: a
 * numeric column standardised with their mean and standard deviation; a categorical one one-hot
 * (≤ `oneHotMax` categories) or its category's index, standardised; a missing value filled with the
 * training mean or most frequent value. A constant column is dropped with a warning. With a model's
 * preprocessing (predict), its transforms are used as they are.
 */
import { DatasetError } from '../errors';
import { checkRaw, FLOAT64_MIN_NORMAL, meanStd } from './numbers';
import { q, type CategoricalStore, type ImportState, type NumericStore } from './store';
import type { FeatureTransform } from './types';

/** A column's transform, its width in x and the names of its values. */
export interface ColumnPlan {
  s: NumericStore | CategoricalStore;
  f: FeatureTransform;
  width: number;
  names: string[];
}

function constantNote(s: NumericStore | CategoricalStore): string | undefined {
  if (s.type === 'numeric') {
    if (s.min === Infinity) return 'it has no values';
    if (s.min === s.max) return `it has the same value (${s.min}) in every row`;
  } else {
    if (s.dict.size === 0) return 'it has no values';
    if (s.dict.size === 1) return `it has the same value (${q([...s.dict.keys()][0]!)}) in every row`;
  }
  return undefined;
}

/** The transform of a column, from the training rows; undefined when the column is dropped. */
export function planColumn(
  st: ImportState,
  s: NumericStore | CategoricalStore,
  trainRows: Int32Array,
): ColumnPlan | undefined {
  const constant = constantNote(s);
  if (constant) {
    st.ignored.push({
      name: s.name,
      type: s.type,
      role: 'ignored',
      note: `constant: ${constant}`,
      missing: s.missing,
    });
    st.warnings.push(`Column ${q(s.name)} is dropped: ${constant}, so it carries no information.`);
    return undefined;
  }
  return s.type === 'numeric' ? planNumeric(st, s, trainRows) : planCategorical(st, s, trainRows);
}

/** Standardised with the training rows' mean and standard deviation (unless standardisation is off). */
function planNumeric(st: ImportState, s: NumericStore, trainRows: Int32Array): ColumnPlan | undefined {
  const standardize = st.o.standardize ?? true;
  const { mean, std, varies } = meanStd((r) => s.values.get(r), trainRows);
  if (Number.isNaN(mean)) {
    st.ignored.push({
      name: s.name,
      type: s.type,
      role: 'ignored',
      note: 'no values in the training rows',
      missing: s.missing,
    });
    st.warnings.push(`Column ${q(s.name)} is dropped: it has no values in the training rows.`);
    return undefined;
  }
  if (!standardize) checkRaw(s, st.lines);
  else if (varies && std < FLOAT64_MIN_NORMAL) {
    // Located at the first value that differs from the mean.
    let r = 0;
    const same = (a: number) => a === mean || Number.isNaN(a);
    while (r < s.values.length - 1 && same(s.values.get(r))) r++;
    const line = st.lines.view()[r];
    throw new DatasetError(
      'out-of-range',
      `line ${line}, column ${q(s.name)}: the column's values vary by only ${std} (standard deviation of the training rows), too little to standardise even in 64-bit floats. Rescale the column (e.g. multiply it by a power of ten) or drop it.`,
      line,
      s.name,
    );
  }
  const f: FeatureTransform = {
    column: s.name,
    type: 'numeric',
    mean: standardize ? mean : 0,
    std: standardize && std > 0 ? std : 1,
    ...(s.missing > 0 ? { fill: mean } : {}),
  };
  return { s, f, width: 1, names: [s.name] };
}

/** One-hot, or the category's index standardised; a missing value filled with the training mode. */
function planCategorical(st: ImportState, s: CategoricalStore, trainRows: Int32Array): ColumnPlan {
  const standardize = st.o.standardize ?? true;
  const categories = [...s.dict.keys()].sort();
  const oneHot = categories.length <= (st.o.oneHotMax ?? 20);
  let fill: string | undefined;
  if (s.missing > 0) {
    // Mode of the training rows.
    const counts = new Int32Array(s.dict.size);
    const codes = s.codes.view();
    for (const r of trainRows) {
      const c = codes[r]!;
      if (c >= 0) counts[c]!++;
    }
    let best = 0;
    for (let c = 1; c < counts.length; c++) if (counts[c]! > counts[best]!) best = c;
    fill = [...s.dict.keys()][best];
  }
  if (oneHot) {
    const f: FeatureTransform = {
      column: s.name,
      type: 'categorical',
      encoding: 'one-hot',
      categories,
      ...(fill !== undefined ? { fill } : {}),
    };
    return { s, f, width: categories.length, names: categories.map((c) => `${s.name}=${c}`) };
  }
  // Index, standardised with training statistics.
  const rank = new Map(categories.map((c, i) => [c, i]));
  const codes = s.codes.view();
  const remap = new Float32Array(s.dict.size);
  for (const [k, code] of s.dict) remap[code] = rank.get(k)!;
  const idx = new Float32Array(trainRows.length);
  trainRows.forEach((r, i) => {
    const c = codes[r]!;
    idx[i] = c < 0 ? NaN : remap[c]!;
  });
  const { mean, std } = meanStd(
    (i) => idx[i]!,
    Int32Array.from({ length: idx.length }, (_, i) => i),
  );
  st.warnings.push(
    `Column ${q(s.name)} has ${categories.length} categories: encoded as the category's index, not one-hot.`,
  );
  const f: FeatureTransform = {
    column: s.name,
    type: 'categorical',
    encoding: 'index',
    categories,
    mean: standardize ? mean : 0,
    std: standardize && std > 0 ? std : 1,
    ...(fill !== undefined ? { fill } : {}),
  };
  return { s, f, width: 1, names: [s.name] };
}

/** The transform a model's preprocessing gives the column (predict). */
export function planGiven(s: NumericStore | CategoricalStore, f: FeatureTransform): ColumnPlan {
  if (f.type === 'text' || f.type !== s.type) throw new Error(`unreachable: column ${s.name} type mismatch`);
  const width = f.type === 'categorical' && f.encoding === 'one-hot' ? f.categories.length : 1;
  const names =
    f.type === 'categorical' && f.encoding === 'one-hot'
      ? f.categories.map((c) => `${s.name}=${c}`)
      : [s.name];
  return { s, f, width, names };
}
