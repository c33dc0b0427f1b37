/**
 * Every run of the project, newest first: when, status, epochs, backend, duration, final validation
 * numbers and the configuration. Tick runs to overlay their curves; restore a run's weights.
 */
import { useState } from 'react';
import type { RunSummary } from '../../shared/ir/schema';
import { configSummary, finalValue, formatDuration, formatMetric } from './lib/format';
import { useAppStore } from '../store/store';
import './training.css';

export interface RunHistoryProps {
  runs: readonly RunSummary[];
  /** Runs ticked for overlay (controlled); when omitted the list keeps its own selection. */
  overlay?: readonly string[];
  onOverlay: (ids: string[]) => void;
  onRestore: (id: string) => void;
  /** The run whose weights are the current ones (marked "current"). */
  currentRunId?: string | null;
  /** Runs whose weights are still kept; others cannot be restored. Omit: all but failed runs. */
  restorable?: readonly string[];
  /** Disable restoring (e.g. while training). */
  busy?: boolean;
}

const when = (iso: string) => {
  const d = new Date(iso);
  return Number.isNaN(d.getTime())
    ? iso
    : d.toLocaleString(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
};

function finalText(r: RunSummary): string {
  const m = r.finalMetrics;
  const parts: string[] = [];
  const acc = finalValue(m, 'accuracy');
  const mae = finalValue(m, 'mae');
  const loss = finalValue(m, 'loss');
  const v = (k: string) => (`val_${k}` in m ? 'val ' : '');
  if (acc !== undefined) parts.push(`${v('accuracy')}acc ${formatMetric(acc)}`);
  if (mae !== undefined) parts.push(`${v('mae')}MAE ${formatMetric(mae)}`);
  if (loss !== undefined) parts.push(`${v('loss')}loss ${formatMetric(loss)}`);
  return parts.join(' · ') || '–';
}

export function RunHistory({
  runs,
  overlay,
  onOverlay,
  onRestore,
  currentRunId,
  restorable,
  busy = false,
}: RunHistoryProps) {
  const [own, setOwn] = useState<string[]>([]);
  const selected = overlay ?? own;
  const toggle = (id: string, on: boolean) => {
    const next = on ? [...selected.filter((s) => s !== id), id] : selected.filter((s) => s !== id);
    if (!overlay) setOwn(next);
    onOverlay(next);
  };
  const list = [...runs].sort((a, b) => b.startedAt.localeCompare(a.startedAt));

  return (
    <section className="run-history" data-testid="run-history" data-count={runs.length}>
      {list.length === 0 ? (
        <p className="muted run-empty">No runs yet. Press Start to train; every run is kept here.</p>
      ) : (
        <>
          <p className="muted run-tip">
            Tick two or more runs to overlay their curves
            {selected.length > 0 ? ` (${selected.length} ticked)` : ''}.
          </p>
          <ul className="run-list">
            {list.map((r) => {
              const canRestore =
                !busy && (restorable ? restorable.includes(r.id) : r.status !== 'error') && r.epochs > 0;
              const isCurrent = currentRunId === r.id;
              return (
                <li
                  key={r.id}
                  className={`run-item${isCurrent ? ' current' : ''}${selected.includes(r.id) ? ' ticked' : ''}`}
                  data-testid={`run-row-${r.id}`}
                >
                  <label className="run-check" title="Overlay this run's curves">
                    <input
                      type="checkbox"
                      data-testid={`run-overlay-${r.id}`}
                      checked={selected.includes(r.id)}
                      onChange={(e) => toggle(r.id, e.target.checked)}
                    />
                  </label>
                  <div className="run-main">
                    <div className="run-line">
                      <span className={`train-pill pill-${r.status}`}>{r.status}</span>
                      <span className="run-when">{when(r.startedAt)}</span>
                      {isCurrent && <span className="run-current">current</span>}
                    </div>
                    <div className="mono run-final">{finalText(r)}</div>
                    <div className="muted run-meta">
                      <span className="mono">{configSummary(r.config)}</span>
                      {` · ${r.epochs} epoch${r.epochs === 1 ? '' : 's'} · ${formatDuration(r.durationMs)} · ${r.backend}`}
                    </div>
                  </div>
                  <button
                    type="button"
                    className="run-restore"
                    data-testid={`run-restore-${r.id}`}
                    disabled={!canRestore}
                    title={
                      isCurrent
                        ? 'These are the current weights'
                        : canRestore
                          ? 'Make this run’s weights the current ones'
                          : 'The weights of this run were not kept'
                    }
                    onClick={() => onRestore(r.id)}
                  >
                    Restore weights
                  </button>
                  {r.graph && (
                    <button
                      type="button"
                      className="run-restore"
                      data-testid={`run-compare-${r.id}`}
                      title="Show on the canvas how the graph now differs from the one this run trained"
                      onClick={() => {
                        const s = useAppStore.getState();
                        s.setDiffBase({
                          label: `the graph of the run of ${when(r.startedAt)}`,
                          graph: r.graph!,
                        });
                        s.setUi({ view: 'design' });
                      }}
                    >
                      Compare graph
                    </button>
                  )}
                </li>
              );
            })}
          </ul>
        </>
      )}
    </section>
  );
}
