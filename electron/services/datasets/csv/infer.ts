/**
 * The columns' roles and types, decided from the first rows (the sample) unless the user chose them
 * (options and the data spec's `columns`) or a model's preprocessing fixes them: the target (default
 * the last column), the ignored columns, one text input at most; and, after the last row, the task.
 */
import type { Task } from '../../../../shared/training/data';
import { DatasetError } from '../errors';
import {
  isMissing,
  looksNumeric,
  makeStore,
  MAX_CLASSES_FOR_INTEGER_TARGET,
  q,
  type CategoricalStore,
  type ImportState,
  type NumericStore,
} from './store';
import type { ColumnType } from './types';

/**
 * Chooses the target, each column's role and type, and makes the stores (`st.stores`, `st.target`).
 * Refuses a chosen column that is not in the file.
 */
export function decideColumns(st: ImportState, header: string[], sample: readonly { row: string[] }[]): void {
  const pre = st.o.preprocessing;
  const specs = new Map((st.o.columns ?? []).map((c) => [c.name, c]));
  for (const name of specs.keys())
    if (!header.includes(name))
      throw new DatasetError(
        'missing-column',
        `The column ${q(name)} chosen in the data settings is not in the file; its columns are: ${header.join(', ')}.`,
        1,
        name,
      );
  // The target.
  const specTarget = [...specs.values()].find((c) => c.role === 'target')?.name;
  let targetName = pre ? pre.target : (st.o.target ?? specTarget);
  if (targetName === undefined || targetName === '') {
    targetName = header[header.length - 1]!;
    st.warnings.push(`No target column chosen: using the last column, ${q(targetName)}.`);
  }
  const targetIndex = header.indexOf(targetName);
  if (targetIndex < 0 && !pre)
    throw new DatasetError(
      'missing-column',
      `The target column ${q(targetName)} is not in the file; its columns are: ${header.join(', ')}.`,
      1,
      targetName,
    );
  if (pre)
    for (const f of pre.features)
      if (!header.includes(f.column))
        throw new DatasetError(
          'missing-column',
          `The column ${q(f.column)}, an input of the model, is not in the file; its columns are: ${header.join(', ')}.`,
          1,
          f.column,
        );
  const preTypes = new Map<string, ColumnType>(pre?.features.map((f) => [f.column, f.type]));
  let textColumns = 0;
  header.forEach((name, index) => {
    const isTarget = index === targetIndex;
    const spec = specs.get(name);
    if (pre ? !isTarget && !preTypes.has(name) : spec?.role === 'ignore' && !isTarget) {
      st.ignored.push({
        name,
        type: spec?.type ?? 'categorical',
        role: 'ignored',
        note: pre ? 'not a model input' : 'ignored by choice',
        missing: 0,
      });
      return;
    }
    let type: ColumnType =
      (isTarget && pre ? pre.targetType : preTypes.get(name)) ?? spec?.type ?? inferType(sample, index);
    if (isTarget && type === 'text') type = 'categorical';
    if (type === 'text') textColumns++;
    st.stores[index] = makeStore(name, index, isTarget, type);
  });
  st.target = targetIndex >= 0 ? st.stores[targetIndex] : undefined;
  if (textColumns > 1) {
    // One text input only: keep the first.
    let kept = false;
    st.stores.forEach((s, i) => {
      if (s?.type !== 'text') return;
      if (!kept) kept = true;
      else {
        st.stores[i] = undefined;
        st.ignored.push({
          name: s.name,
          type: 'text',
          role: 'ignored',
          note: 'a second text column',
          missing: 0,
        });
        st.warnings.push(`Column ${q(s.name)} is ignored: only one text column can be an input.`);
      }
    });
  }
}

/**
 * Numeric when ≥ 90% of the non-empty values are numbers; text when values average ≥ 3 words;
 * categorical otherwise.
 */
function inferType(sample: readonly { row: string[] }[], index: number): ColumnType {
  let present = 0;
  let numeric = 0;
  let words = 0;
  for (const { row } of sample) {
    const s = row[index]!.trim();
    if (isMissing(s)) continue;
    present++;
    if (looksNumeric(s)) numeric++;
    else words += s.split(/\s+/).length;
  }
  if (present === 0 || numeric >= 0.9 * present) return 'numeric';
  return words / (present - numeric) >= 3 ? 'text' : 'categorical';
}

/**
 * The task for a target column (no model's preprocessing): classification when categorical, or
 * numeric with whole numbers and at most 20 distinct values; regression otherwise. `task` (the
 * option) overrides. A constant target is refused.
 */
export function inferTask(t: NumericStore | CategoricalStore, task: Task | undefined): Task {
  const inferred: Task =
    t.type === 'categorical'
      ? (task ?? 'classification')
      : (task ??
        (t.integer && t.distinct!.size <= MAX_CLASSES_FOR_INTEGER_TARGET ? 'classification' : 'regression'));
  if (t.type === 'numeric' ? t.min === t.max : t.dict.size < 2)
    throw new DatasetError(
      'constant-target',
      `The target column ${q(t.name)} has only one value (${t.type === 'numeric' ? t.min : q([...t.dict.keys()][0] ?? '')}); there is nothing to predict. Choose another target column.`,
      undefined,
      t.name,
    );
  return inferred;
}
