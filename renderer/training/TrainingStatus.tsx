/**
 * Start / Stop, the run's status word, a progress bar with epoch, batch, speed, ETA and backend, a
 * plain message when a run diverged or failed, and the final validation numbers as plain text.
 */
import type { ProgressEvent } from '../../shared/training/protocol';
import {
  finalValue,
  finishedLine,
  formatMetric,
  formatNumber,
  progressLine,
  progressPercent,
  smallerLearningRate,
  stoppedLine,
} from './lib/format';
import './training.css';

export type TrainingStatusKind = 'idle' | 'running' | 'done' | 'cancelled' | 'diverged' | 'error';

export interface TrainingStatusProps {
  status: TrainingStatusKind;
  /** The latest progress event of the current (or last) run. */
  progress?: ProgressEvent;
  /** The engine's words for a diverged, failed or early-stopped run. */
  message?: string;
  /** What a diverged or stopped run left: which weights are kept, and why. */
  kept?: string;
  /**
   * Final validation metrics: `{ accuracy, loss }` (a done event's valMetrics) or a run summary's
   * `finalMetrics` (`val_accuracy`, `val_loss`, ...; the `val_` entries win).
   */
  final?: Record<string, number>;
  canStart: boolean;
  onStart: () => void;
  onStop: () => void;
  /** Why Start is disabled (no data, graph errors), shown beside the buttons. */
  startHint?: string;
  /** The learning rate of the run, to suggest a concrete smaller one after a divergence. */
  learningRate?: number;
  /** Offered after a divergence: apply the suggested learning rate. */
  onUseLearningRate?: (lr: number) => void;
}

const FINAL_METRICS: { name: string; label: string }[] = [
  { name: 'accuracy', label: 'val accuracy' },
  { name: 'mae', label: 'val MAE' },
  { name: 'r2', label: 'val R²' },
  { name: 'loss', label: 'val loss' },
];

function statusLine(status: TrainingStatusKind, p: ProgressEvent | undefined): string {
  if (status === 'running') return p ? progressLine(p) : 'starting…';
  if (!p) return status === 'idle' ? 'Ready to train.' : '';
  return status === 'done' ? finishedLine(p) : stoppedLine(p);
}

export function TrainingStatus({
  status,
  progress,
  message,
  kept,
  final,
  canStart,
  onStart,
  onStop,
  startHint,
  learningRate,
  onUseLearningRate,
}: TrainingStatusProps) {
  const running = status === 'running';
  const pct = status === 'done' ? 100 : status === 'idle' && !progress ? 0 : progressPercent(progress);
  const line = statusLine(status, progress);
  const suggestion = learningRate !== undefined ? smallerLearningRate(learningRate) : undefined;
  const finals = FINAL_METRICS.map((m) => ({ ...m, value: finalValue(final, m.name) })).filter(
    (m) => m.value !== undefined,
  );

  return (
    <section className={`train-status status-${status}`} aria-live="polite">
      <div className="train-actions">
        <button
          type="button"
          className="primary"
          data-testid="train-start"
          disabled={!canStart || running}
          onClick={onStart}
        >
          ▶ Start
        </button>
        <button type="button" data-testid="train-stop" disabled={!running} onClick={onStop}>
          ■ Stop
        </button>
        <span className={`train-pill pill-${status}`} data-testid="train-status">
          {status}
        </span>
        {!canStart && !running && startHint && <span className="train-start-hint muted">{startHint}</span>}
      </div>
      <div
        className="train-progress"
        data-testid="train-progress"
        role="progressbar"
        aria-label="Training progress"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={pct}
        aria-valuetext={line || `${pct}%`}
      >
        <div className={`train-progress-fill${running ? ' running' : ''}`} style={{ width: `${pct}%` }} />
      </div>
      <div className="train-progress-line mono muted">{line || '\u00a0'}</div>

      {status === 'diverged' && (
        <div className="train-alert alert-error" role="alert" data-testid="diverged-banner">
          <strong>Training diverged.</strong> {message ?? 'The loss became NaN or infinite.'}
          {kept && <div data-testid="kept-message">{kept}</div>}
          {suggestion !== undefined && onUseLearningRate && (
            <div>
              <button
                type="button"
                className="train-alert-action"
                onClick={() => onUseLearningRate(suggestion)}
              >
                Use learning rate {formatNumber(suggestion)} (10× smaller)
              </button>
            </div>
          )}
        </div>
      )}
      {status === 'error' && (
        <div className="train-alert alert-error" role="alert">
          <strong>Training failed.</strong> {message ?? 'The engine reported an error.'}
        </div>
      )}
      {(status === 'done' || status === 'cancelled') && (message || kept) && (
        <div className="train-alert alert-info" data-testid="run-note">
          {message ?? kept}
        </div>
      )}

      {finals.length > 0 && (
        <dl className="train-finals">
          {finals.map((m) => (
            <div key={m.name} className="train-final">
              <dt>{m.label}</dt>
              <dd className="mono" data-testid={`metric-val-${m.name}`}>
                {formatMetric(m.value)}
              </dd>
            </div>
          ))}
        </dl>
      )}
    </section>
  );
}
