/** Confusion-matrix arithmetic and the heatmap's colours. Pure: no DOM. */

export interface ConfusionTotals {
  /** Sum of each row: how many examples of each true class. */
  rows: number[];
  /** Sum of each column: how many times each class was predicted. */
  cols: number[];
  total: number;
  correct: number;
}

/** Each row divided by its sum (a row of zeros stays zeros). */
export function rowNormalise(confusion: readonly (readonly number[])[]): number[][] {
  return confusion.map((row) => {
    const sum = row.reduce((a, b) => a + b, 0);
    return row.map((v) => (sum > 0 ? v / sum : 0));
  });
}

export function confusionTotals(confusion: readonly (readonly number[])[]): ConfusionTotals {
  const k = confusion.reduce((m, r) => Math.max(m, r.length), confusion.length);
  const rows = confusion.map((r) => r.reduce((a, b) => a + b, 0));
  const cols = new Array<number>(k).fill(0);
  let correct = 0;
  confusion.forEach((r, i) =>
    r.forEach((v, j) => {
      cols[j] = (cols[j] ?? 0) + v;
      if (i === j) correct += v;
    }),
  );
  return { rows, cols, total: rows.reduce((a, b) => a + b, 0), correct };
}

/**
 * The colour of a cell: the correct diagonal in the accent colour, mistakes in the error colour, as
 * strong as the row-normalised share. CSS `color-mix` against transparent, so it follows the theme.
 */
export function cellStyle(share: number, diagonal: boolean): { background: string; color: string } {
  const s = Number.isFinite(share) ? Math.min(1, Math.max(0, share)) : 0;
  const pct = Math.round(s * 85 * 10) / 10;
  const base = diagonal ? 'var(--accent)' : 'var(--error)';
  return {
    background: pct > 0 ? `color-mix(in srgb, ${base} ${pct}%, transparent)` : 'transparent',
    color: s > 0.55 ? '#ffffff' : 'var(--text)',
  };
}
