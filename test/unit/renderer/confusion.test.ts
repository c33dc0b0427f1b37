import { describe, expect, it } from 'vitest';
import { cellStyle, confusionTotals, rowNormalise } from '../../../renderer/training/lib/confusion';

const m = [
  [50, 2, 0],
  [3, 40, 7],
  [0, 0, 0],
];

describe('confusion matrix', () => {
  it('normalises each row to shares that sum to 1 (empty rows stay 0)', () => {
    const s = rowNormalise(m);
    expect(s[0]!.reduce((a, b) => a + b)).toBeCloseTo(1);
    expect(s[1]!.reduce((a, b) => a + b)).toBeCloseTo(1);
    expect(s[1]![2]).toBeCloseTo(7 / 50);
    expect(s[2]).toEqual([0, 0, 0]);
  });

  it('totals rows, columns, all and the diagonal', () => {
    const t = confusionTotals(m);
    expect(t.rows).toEqual([52, 50, 0]);
    expect(t.cols).toEqual([53, 42, 7]);
    expect(t.total).toBe(102);
    expect(t.correct).toBe(90);
  });

  it('handles an empty matrix', () => {
    expect(confusionTotals([])).toEqual({ rows: [], cols: [], total: 0, correct: 0 });
  });

  it('colours the diagonal with the accent and mistakes with the error colour, by share', () => {
    expect(cellStyle(0, true).background).toBe('transparent');
    expect(cellStyle(1, true).background).toContain('var(--accent)');
    expect(cellStyle(0.2, false).background).toContain('var(--error)');
    expect(cellStyle(1, true).color).toBe('#ffffff');
    expect(cellStyle(0.1, true).color).toBe('var(--text)');
    expect(cellStyle(NaN, false).background).toBe('transparent');
  });
});
