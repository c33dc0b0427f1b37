/** Number and time formatting for the training views. Pure: no DOM. */
import type { TrainingConfig } from '../../../shared/training/config';
import { backendLabel, type ProgressEvent } from '../../../shared/training/protocol';

/** Seconds as `m:ss` (or `h:mm:ss` from an hour on); `–` when unknown. */
export function formatEta(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '–';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** A duration for people: `850 ms`, `4.2 s`, `3 m 07 s`, `1 h 02 m`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '–';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(s < 10 ? 1 : 0)} s`;
  const total = Math.round(s);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  if (h > 0) return `${h} h ${String(m).padStart(2, '0')} m`;
  return `${m} m ${String(total % 60).padStart(2, '0')} s`;
}

/** A metric as plain text with four decimals (`0.9650`); scientific for very large/small values. */
export function formatMetric(v: number | undefined): string {
  if (v === undefined || Number.isNaN(v)) return '–';
  if (!Number.isFinite(v)) return v > 0 ? '∞' : '-∞';
  const a = Math.abs(v);
  if (a !== 0 && (a >= 1e6 || a < 1e-4)) return v.toExponential(2);
  return v.toFixed(4);
}

/** A learning rate or other hyper-parameter, short: 0.001, 1e-5, 1000000 -> 1e+6. */
export function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a >= 1e5 || a < 1e-4)) return v.toExponential().replace(/\.?0+e/, 'e');
  return String(Number(v.toPrecision(6)));
}

const grouped = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
export function formatCount(v: number): string {
  return Number.isFinite(v) ? grouped.format(v) : '–';
}

/** Share of the run done, 0..100, from a progress event (batches over all epochs). */
export function progressPercent(p: ProgressEvent | undefined): number {
  if (!p || p.epochs <= 0 || p.batches <= 0) return 0;
  const done = (p.epoch - 1) * p.batches + p.batch;
  return Math.round(Math.min(100, Math.max(0, (done / (p.epochs * p.batches)) * 100)) * 10) / 10;
}

/** `epoch 3/40 · batch 12/50 · 1,234 samples/s · ETA 0:42 · wasm` */
export function progressLine(p: ProgressEvent): string {
  return [
    `epoch ${p.epoch}/${p.epochs}`,
    `batch ${p.batch}/${p.batches}`,
    `${formatCount(p.samplesPerSecond)} samples/s`,
    `ETA ${formatEta(p.etaSeconds)}`,
    backendLabel(p),
  ].join(' · ');
}

/** `finished · 3 epochs · wasm × 2 threads` (the run's last progress event). */
export const finishedLine = (p: ProgressEvent): string =>
  `finished · ${p.epochs} epoch${p.epochs === 1 ? '' : 's'} · ${backendLabel(p)}`;

/** `stopped at epoch 2/40 · batch 7/50 · wasm` (the last progress event before the stop). */
export const stoppedLine = (p: ProgressEvent): string =>
  `stopped at epoch ${p.epoch}/${p.epochs} · batch ${p.batch}/${p.batches} · ${backendLabel(p)}`;

/** `adam lr 0.001 bs 32` (+ ` · early stop 5` when on). */
export function configSummary(c: TrainingConfig): string {
  const base = `${c.optimizer} lr ${formatNumber(c.learningRate)} bs ${c.batchSize}`;
  return c.earlyStopping ? `${base} · early stop ${c.earlyStopping.patience}` : base;
}

/**
 * Reads a final validation metric from either shape the app has: `{ accuracy, loss }` (a `done`
 * event's `valMetrics`) or `{ val_accuracy, val_loss, accuracy, ... }` (a run summary's
 * `finalMetrics`, where the `val_` entry wins).
 */
export function finalValue(final: Record<string, number> | undefined, name: string): number | undefined {
  if (!final) return undefined;
  const v = final[`val_${name}`] ?? final[name];
  return typeof v === 'number' ? v : undefined;
}

/** A smaller learning rate to suggest after a divergence (10× smaller, rounded to a clean value). */
export function smallerLearningRate(lr: number): number {
  return Number((lr / 10).toPrecision(2));
}
