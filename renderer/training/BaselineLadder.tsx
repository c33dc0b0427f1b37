/**
 * "Is a neural net overkill here?" The network's validation metric beside simple baselines trained
 * on the same split (majority class / mean, logistic or linear regression, random forest), as bars
 * with train times, and the plain verdict sentence.
 */
import type { Task } from '../../shared/training/data';
import type { BaselineRow } from '../../shared/training/evaluation';
import { formatDuration, formatMetric } from './lib/format';
import './training.css';

export interface BaselineLadderProps {
  task: Task;
  /** The network's validation metrics: accuracy (classification) or mae and r2 (regression). */
  network: Record<string, number>;
  baselines: readonly BaselineRow[];
  verdict: string;
  /** How long the network trained, if known. */
  networkTrainMs?: number;
}

interface Rung {
  key: string;
  label: string;
  value: number | undefined;
  mae: number | undefined;
  trainMs: number | undefined;
  note: string | undefined;
  network: boolean;
}

function metricOf(task: Task, m: Record<string, number>): number | undefined {
  const v = task === 'classification' ? (m.accuracy ?? m.val_accuracy) : (m.r2 ?? m.val_r2);
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

export function BaselineLadder({ task, network, baselines, verdict, networkTrainMs }: BaselineLadderProps) {
  const cls = task === 'classification';
  const rungs: Rung[] = [
    ...baselines.map((b) => ({
      key: b.id,
      label: b.label,
      value: metricOf(task, b.metrics),
      mae: b.metrics.mae,
      trainMs: b.trainMs,
      note: b.note,
      network: false,
    })),
    {
      key: '__network',
      label: 'Your network',
      value: metricOf(task, network),
      mae: network.mae ?? network.val_mae,
      trainMs: networkTrainMs,
      note: undefined,
      network: true,
    },
  ];
  const best = rungs.reduce<number | undefined>(
    (m, r) => (r.value !== undefined && (m === undefined || r.value > m) ? r.value : m),
    undefined,
  );
  const show = (v: number | undefined) =>
    v === undefined ? '–' : cls ? `${(v * 100).toFixed(1)}%` : formatMetric(v);

  return (
    <section className="ladder" data-testid="baseline-ladder">
      <table className="ladder-table">
        <thead>
          <tr>
            <th scope="col">model</th>
            <th scope="col" className="ladder-bar-col">
              {cls ? 'validation accuracy' : 'validation R²'}
            </th>
            {!cls && (
              <th scope="col" className="num">
                MAE
              </th>
            )}
            <th scope="col" className="num">
              train time
            </th>
          </tr>
        </thead>
        <tbody>
          {rungs.map((r) => (
            <tr
              key={r.key}
              className={`${r.network ? 'ladder-network' : ''}${r.value !== undefined && r.value === best ? ' ladder-best' : ''}`}
              data-testid={r.network ? 'baseline-network' : 'baseline-row'}
              data-baseline={r.network ? undefined : r.key}
            >
              <th scope="row">
                <span className="ladder-label">{r.label}</span>
                {r.value !== undefined && r.value === best && <span className="ladder-badge">best</span>}
                {r.note && <span className="ladder-note muted">{r.note}</span>}
              </th>
              <td className="ladder-bar-col">
                <div className="ladder-bar">
                  <div
                    className="ladder-fill"
                    style={{ width: `${Math.max(0, Math.min(1, r.value ?? 0)) * 100}%` }}
                  />
                  <span className="ladder-value mono">{show(r.value)}</span>
                </div>
              </td>
              {!cls && <td className="num mono">{formatMetric(r.mae)}</td>}
              <td className="num mono muted">{r.trainMs === undefined ? '–' : formatDuration(r.trainMs)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="ladder-verdict" data-testid="baseline-verdict">
        {verdict}
      </p>
    </section>
  );
}
