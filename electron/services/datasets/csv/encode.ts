/**
 * The columns' stores to y and x, in the order of the shuffled rows: the target to class ids (sorted
 * class names) or float32 values (regression targets are not standardised, so they are checked to
 * be faithful 32-bit floats); a text column to token ids (a vocabulary from the training rows); the
 * other columns to float32 values through their transforms (plan.ts).
 */
import { basename } from 'node:path';
import type { Task } from '../../../../shared/training/data';
import { DatasetError, yieldToEventLoop } from '../errors';
import { Tokenizer } from '../tokenizer';
import { inferTask } from './infer';
import { checkRaw, FLOAT32_RANGE, fmt, rescale } from './numbers';
import { planColumn, planGiven, type ColumnPlan } from './plan';
import {
  MAX_CLASSES_FOR_INTEGER_TARGET,
  q,
  type CategoricalStore,
  type ImportState,
  type NumericStore,
  type Store,
  type TextStore,
} from './store';
import type { CsvColumnReport, CsvPreprocessing, FeatureTransform } from './types';

interface EncodedTarget {
  task: Task;
  /** Class names (classification), index = class id. */
  classes: string[] | undefined;
  /** Undefined when there is no target (predict, with the target column absent). */
  y: Int32Array | Float32Array | undefined;
}

/** A classification target: its class names and each row's class id. */
type ClassIds = { classes: string[]; y: Int32Array };

/**
 * y, in the order `order`; adds the target's report and releases its store. The task comes from the
 * model's preprocessing, or is inferred (infer.ts).
 */
export function encodeTarget(st: ImportState, order: Int32Array, reports: CsvColumnReport[]): EncodedTarget {
  const pre = st.o.preprocessing;
  const n = order.length;
  const t = st.target;
  let task: Task = pre?.task ?? 'classification';
  if (!t || t.dropped) return { task, classes: undefined, y: undefined };
  if (t.type === 'text') throw new Error('unreachable: text target');
  if (!pre) task = inferTask(t, st.o.task);
  let classes: string[] | undefined;
  let y: Int32Array | Float32Array;
  if (task === 'classification')
    ({ classes, y } =
      t.type === 'categorical' ? categoricalClasses(t, order, pre) : numericClasses(t, order, pre));
  else {
    if (t.type !== 'numeric')
      throw new DatasetError(
        'unusable',
        `The target column ${q(t.name)} is categorical, so the task must be classification.`,
        undefined,
        t.name,
      );
    // Targets are not standardised: each must be a faithful 32-bit float, and when training, its
    // squared error summed over the rows must fit one too.
    checkRaw(t, st.lines, pre ? undefined : n);
    y = new Float32Array(n);
    for (let i = 0; i < n; i++) y[i] = t.values.get(order[i]!);
  }
  reports.push({
    name: t.name,
    type: t.type,
    role: 'target',
    note: task === 'classification' ? `${classes!.length} classes` : 'regression',
    missing: t.missing,
  });
  st.stores[t.index] = undefined;
  return { task, classes, y };
}

/** Class ids of a categorical target: its values sorted by name (or the model's classes). */
function categoricalClasses(t: CategoricalStore, order: Int32Array, pre?: CsvPreprocessing): ClassIds {
  const n = order.length;
  const classes = pre?.classes ?? [...t.dict.keys()].sort();
  const byName = new Map(classes.map((c, i) => [c, i]));
  const remap = new Int32Array(t.dict.size);
  let unknown = 0;
  for (const [name, code] of t.dict) {
    const id = byName.get(name);
    remap[code] = id ?? -1;
    if (id === undefined) unknown++;
  }
  if (unknown)
    throw new DatasetError(
      'unusable',
      `The target column ${q(t.name)} has ${unknown} value(s) the model was not trained on.`,
      undefined,
      t.name,
    );
  const codes = t.codes.view();
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) y[i] = remap[codes[order[i]!]!]!;
  return { classes, y };
}

/** Class ids of a whole-number target: its values in increasing order (or the model's classes). */
function numericClasses(t: NumericStore, order: Int32Array, pre?: CsvPreprocessing): ClassIds {
  const n = order.length;
  const values = t.values;
  if (!pre && !t.integer)
    throw new DatasetError(
      'unusable',
      `The target column ${q(t.name)} has fractional numbers, so it cannot be a set of classes; use regression.`,
      undefined,
      t.name,
    );
  const classes = pre?.classes ?? [...t.distinct!].sort((a, b) => a - b).map(String);
  const byName = new Map(classes.map((c, i) => [c, i]));
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const id = byName.get(String(values.get(order[i]!)));
    if (id === undefined)
      throw new DatasetError(
        'too-many-classes',
        `The target column ${q(t.name)} has more than ${MAX_CLASSES_FOR_INTEGER_TARGET} distinct values${pre ? ' or values the model was not trained on' : ''}; for classification make it categorical, or use regression.`,
        undefined,
        t.name,
      );
    y[i] = id;
  }
  return { classes, y };
}

/**
 * x for a text input: token ids, `maxLength` per row, padded at the front; the vocabulary from the
 * training rows (or the model's). The other columns are ignored, with a warning each.
 */
export function encodeText(
  st: ImportState,
  text: TextStore,
  stores: Store[],
  order: Int32Array,
  trainRows: Int32Array,
): { x: Int32Array; tokenizer: Tokenizer } {
  const pre = st.o.preprocessing;
  const n = order.length;
  for (const s of stores)
    if (s !== text) {
      st.ignored.push({
        name: s.name,
        type: s.type,
        role: 'ignored',
        note: 'the input is the text column',
        missing: s.missing,
      });
      st.warnings.push(
        `Column ${q(s.name)} is ignored: with a text column (${q(text.name)}) as input, other columns would need a second model input.`,
      );
    }
  let tokenizer: Tokenizer;
  if (pre?.tokenizer) tokenizer = new Tokenizer(pre.tokenizer);
  else {
    const counts = new Map<string, number>();
    const toks = text.tokens.view();
    const offs = text.offsets.view();
    for (const r of trainRows)
      for (let k = offs[r]!; k < offs[r + 1]!; k++) {
        const w = text.words[toks[k]!]!;
        counts.set(w, (counts.get(w) ?? 0) + 1);
      }
    tokenizer = Tokenizer.fromCounts(counts, st.o.vocabSize ?? 10_000, st.maxLength);
  }
  const L = st.maxLength;
  const x = new Int32Array(n * L);
  const toks = text.tokens.view();
  const offs = text.offsets.view();
  const idOf = Int32Array.from(text.words, (w) => tokenizer.id(w));
  for (let i = 0; i < n; i++) {
    const r = order[i]!;
    const a = offs[r]!;
    const len = offs[r + 1]! - a;
    const base = i * L + (L - len);
    for (let k = 0; k < len; k++) x[base + k] = idOf[toks[a + k]!]!;
  }
  return { x, tokenizer };
}

/**
 * x for tabular inputs: each column's transform (plan.ts; the model's with its preprocessing), then
 * x filled column by column, each column's storage let go once it is in x. Adds the features' reports.
 */
export async function encodeTabular(
  st: ImportState,
  stores: Store[],
  order: Int32Array,
  trainRows: Int32Array,
  reports: CsvColumnReport[],
): Promise<{ x: Float32Array; width: number; features: FeatureTransform[]; featureNames: string[] }> {
  const pre = st.o.preprocessing;
  const n = order.length;
  const features: FeatureTransform[] = [];
  const plans: ColumnPlan[] = [];
  for (const s of stores) {
    if (s.type === 'text') continue;
    if (s.dropped) {
      st.ignored.push({
        name: s.name,
        type: s.type,
        role: 'ignored',
        note: s.dropped,
        missing: s.missing,
      });
      continue;
    }
    const given = pre?.features.find((f) => f.column === s.name);
    const plan = given ? planGiven(s, given) : planColumn(st, s, trainRows);
    if (!plan) continue;
    plans.push(plan);
    await yieldToEventLoop();
  }
  if (plans.length === 0)
    throw new DatasetError('unusable', `${basename(st.file)} has no usable input column besides the target.`);
  const width = plans.reduce((a, p) => a + p.width, 0);
  const x = new Float32Array(n * width);
  let off = 0;
  for (const p of plans) {
    fillColumn(st, p.s, p.f, x, width, off, order);
    features.push(p.f);
    reports.push({
      name: p.s.name,
      type: p.s.type,
      role: 'feature',
      note:
        p.f.type === 'numeric'
          ? 'standardised'
          : p.f.type === 'categorical'
            ? `${p.f.encoding}, ${p.f.categories.length} categories`
            : undefined,
      missing: p.s.missing,
    });
    off += p.width;
    // Let the column's storage go before the next one is read.
    (p as { s?: unknown }).s = undefined;
    await yieldToEventLoop();
  }
  return { x, width, features, featureNames: plans.flatMap((p) => p.names) };
}

/** Column `s` through its transform into x (rows of `width` values, the column's from `off`). */
function fillColumn(
  st: ImportState,
  s: NumericStore | CategoricalStore,
  f: FeatureTransform,
  x: Float32Array,
  width: number,
  off: number,
  order: Int32Array,
): void {
  const n = order.length;
  const lines = st.lines.view();
  if (s.type === 'numeric' && f.type === 'numeric') {
    const v = s.values;
    const fillValue = f.fill ?? NaN;
    let bad = -1; // the first row (in the file) whose standardised value is no 32-bit float
    for (let i = 0; i < n; i++) {
      const r = order[i]!;
      let a = v.get(r);
      if (a !== a) a = fillValue;
      const z = Math.fround((a - f.mean) / f.std);
      if (!Number.isFinite(z) && (bad < 0 || r < bad)) bad = r;
      x[i * width + off] = z;
    }
    if (bad >= 0) {
      const line = lines[bad]!;
      throw new DatasetError(
        'out-of-range',
        `line ${line}, column ${q(s.name)}: ${v.get(bad)} is too far from the column's training values (mean ${fmt(f.mean)}, standard deviation ${fmt(f.std)}): standardised, it is beyond the range of ${FLOAT32_RANGE}. ${rescale(s)}`,
        line,
        s.name,
      );
    }
    return;
  }
  if (s.type !== 'categorical' || f.type !== 'categorical') throw new Error('unreachable');
  const rank = new Map(f.categories.map((c, i) => [c, i]));
  const fillRank = f.fill !== undefined ? (rank.get(f.fill) ?? -1) : -1;
  const remap = new Int32Array(s.dict.size);
  let unseen = 0;
  for (const [k, code] of s.dict) {
    const r = rank.get(k);
    if (r === undefined) unseen++;
    remap[code] = r ?? -1;
  }
  const codes = s.codes.view();
  let firstUnseen = -1;
  let bad = -1;
  for (let i = 0; i < n; i++) {
    const row = order[i]!;
    const c = codes[row]!;
    const r = c < 0 ? fillRank : remap[c]!;
    if (r < 0 && (firstUnseen < 0 || row < firstUnseen)) firstUnseen = row;
    if (f.encoding === 'one-hot') {
      if (r >= 0) x[i * width + off + r] = 1;
    } else {
      // An unseen category: the training mean of the index, 0 once standardised.
      const z = r < 0 ? 0 : Math.fround((r - f.mean!) / f.std!);
      if (!Number.isFinite(z) && (bad < 0 || row < bad)) bad = row;
      x[i * width + off] = z;
    }
  }
  if (bad >= 0)
    throw new DatasetError(
      'out-of-range',
      `line ${lines[bad]}, column ${q(s.name)}: the category's index, standardised with the model's statistics (mean ${f.mean}, standard deviation ${f.std}), is beyond the range of ${FLOAT32_RANGE}; the preprocessing statistics are damaged.`,
      lines[bad],
      s.name,
    );
  if (unseen)
    st.warnings.push(
      `Column ${q(s.name)}: ${unseen} value(s) the model was not trained on (first on line ${firstUnseen >= 0 ? lines[firstUnseen] : '?'}); encoded as ${f.encoding === 'one-hot' ? 'no category' : 'the average category index (0)'}.`,
    );
}
