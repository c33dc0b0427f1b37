/**
 * Confusion matrix heatmap (rows: true class, columns: predicted class) with counts and totals,
 * coloured by the share of each row (correct diagonal in the accent colour, mistakes in red), and
 * the per-class precision / recall / F1 table.
 */
import type { ClassScore } from '../../shared/training/evaluation';
import { classColor } from './lib/colors';
import { cellStyle, confusionTotals, rowNormalise } from './lib/confusion';
import { formatMetric } from './lib/format';
import './training.css';

export interface ConfusionMatrixProps {
  classes: readonly string[];
  /** confusion[truth][predicted] = count. */
  confusion: readonly (readonly number[])[];
  perClass?: readonly ClassScore[];
}

const pct = (v: number) => `${(v * 100).toFixed(v === 1 || v === 0 ? 0 : 1)}%`;

/** Precision, recall, F1 and support per class, and their macro averages. */
function PerClassTable({ perClass }: { perClass: readonly ClassScore[] }) {
  const macro = (['precision', 'recall', 'f1'] as const).map(
    (m) => perClass.reduce((a, c) => a + (Number.isFinite(c[m]) ? c[m] : 0), 0) / perClass.length,
  );
  return (
    <table className="per-class" data-testid="per-class">
      <thead>
        <tr>
          <th scope="col">class</th>
          <th scope="col" className="num" title="Of the examples predicted as this class, the share that are">
            precision
          </th>
          <th scope="col" className="num" title="Of the examples of this class, the share found">
            recall
          </th>
          <th scope="col" className="num" title="Harmonic mean of precision and recall">
            F1
          </th>
          <th scope="col" className="num" title="Examples of this class in the validation rows">
            support
          </th>
        </tr>
      </thead>
      <tbody>
        {perClass.map((c, i) => (
          <tr key={`${c.class}-${i}`}>
            <th scope="row">
              <span className="class-dot" style={{ background: classColor(i) }} />
              {c.class}
            </th>
            <td className="num mono">{formatMetric(c.precision)}</td>
            <td className="num mono">{formatMetric(c.recall)}</td>
            <td className="num mono">
              <span
                className="f1-bar"
                style={{ '--w': `${Math.max(0, Math.min(1, c.f1 || 0)) * 100}%` } as React.CSSProperties}
              >
                {formatMetric(c.f1)}
              </span>
            </td>
            <td className="num mono">{c.support}</td>
          </tr>
        ))}
      </tbody>
      <tfoot>
        <tr>
          <th scope="row">macro average</th>
          {macro.map((v, i) => (
            <td key={i} className="num mono">
              {formatMetric(v)}
            </td>
          ))}
          <td className="num mono">{perClass.reduce((a, c) => a + c.support, 0)}</td>
        </tr>
      </tfoot>
    </table>
  );
}

export function ConfusionMatrix({ classes, confusion, perClass }: ConfusionMatrixProps) {
  const shares = rowNormalise(confusion);
  const totals = confusionTotals(confusion);
  const name = (i: number) => classes[i] ?? String(i);
  const k = Math.max(classes.length, confusion.length);
  const idx = Array.from({ length: k }, (_, i) => i);

  return (
    <div className="confusion" data-testid="confusion-matrix" data-total={totals.total}>
      <div className="confusion-caption muted">
        Rows: true class · columns: predicted · colour: share of the row.{' '}
        {totals.total > 0 && (
          <span>
            Accuracy <strong className="mono">{pct(totals.correct / totals.total)}</strong> ({totals.correct}/
            {totals.total})
          </span>
        )}
      </div>
      <div className="confusion-scroll">
        <table className="confusion-table">
          <thead>
            <tr>
              <th className="confusion-corner" scope="col">
                <span>truth ↓</span>
                <span>predicted →</span>
              </th>
              {idx.map((j) => (
                <th key={j} scope="col" className="confusion-col" title={`predicted ${name(j)}`}>
                  <span className="class-dot" style={{ background: classColor(j) }} />
                  {name(j)}
                </th>
              ))}
              <th scope="col" className="confusion-sum">
                total
              </th>
            </tr>
          </thead>
          <tbody>
            {idx.map((i) => (
              <tr key={i}>
                <th scope="row" className="confusion-row" title={`true ${name(i)}`}>
                  <span className="class-dot" style={{ background: classColor(i) }} />
                  {name(i)}
                </th>
                {idx.map((j) => {
                  const count = confusion[i]?.[j] ?? 0;
                  const share = shares[i]?.[j] ?? 0;
                  return (
                    <td
                      key={j}
                      className={`confusion-cell mono${i === j ? ' diag' : ''}`}
                      style={cellStyle(share, i === j)}
                      title={`true ${name(i)}, predicted ${name(j)}: ${count} (${pct(share)} of ${name(i)})`}
                    >
                      {count}
                    </td>
                  );
                })}
                <td className="confusion-sum mono">{totals.rows[i] ?? 0}</td>
              </tr>
            ))}
          </tbody>
          <tfoot>
            <tr>
              <th scope="row" className="confusion-row">
                total
              </th>
              {idx.map((j) => (
                <td key={j} className="confusion-sum mono">
                  {totals.cols[j] ?? 0}
                </td>
              ))}
              <td className="confusion-sum confusion-grand mono" data-testid="confusion-total">
                {totals.total}
              </td>
            </tr>
          </tfoot>
        </table>
      </div>

      {perClass && perClass.length > 0 && <PerClassTable perClass={perClass} />}
    </div>
  );
}
