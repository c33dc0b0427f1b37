/** The text the commands print: training progress, an evaluation, a Keras-style summary. */
import { flatGraph } from '../../shared/graph/blocks';
import type { GraphReport } from '../../shared/graph/check';
import type { ProjectBundle } from '../../shared/ir/project';
import { formatCount, formatShape } from '../../shared/layers/shape';
import type { Evaluation } from '../../shared/training/evaluation';
import { backendLabel, type EpochEndEvent, type ProgressEvent } from '../../shared/training/protocol';

function fmtTime(s: number): string {
  if (!Number.isFinite(s)) return '--:--';
  const m = Math.floor(s / 60);
  return `${m}:${String(Math.round(s % 60)).padStart(2, '0')}`;
}

function metricText(m: Record<string, number | undefined>): string {
  return Object.entries(m)
    .filter((e): e is [string, number] => typeof e[1] === 'number')
    .map(([k, v]) => `${k} ${v.toFixed(4)}`)
    .join('  ');
}

export function progressLine(e: ProgressEvent): string {
  const width = 20;
  const done = Math.round((e.batch / Math.max(1, e.batches)) * width);
  return `epoch ${e.epoch}/${e.epochs} [${'#'.repeat(done)}${'.'.repeat(width - done)}] batch ${e.batch}/${e.batches}  ${metricText(e.metrics)}  ${formatCount(Math.round(e.samplesPerSecond))} samples/s  ETA ${fmtTime(e.etaSeconds)}  ${backendLabel(e)}\x1b[K`;
}

export function epochLine(e: EpochEndEvent): string {
  const val = Object.fromEntries(Object.entries(e.valMetrics).map(([k, v]) => [`val_${k}`, v]));
  return `epoch ${e.epoch}/${e.epochs}  ${metricText({ ...e.metrics, ...val })}  (${(e.elapsedMs / 1000).toFixed(1)} s, ${e.backend})`;
}

function pct(v: number | undefined): string {
  return v === undefined ? '—' : `${(v * 100).toFixed(1)}%`;
}

export function evaluationText(ev: Evaluation): string {
  const out: string[] = [];
  out.push(
    `Dataset ${ev.dataset}: ${formatCount(ev.trainCount)} training rows, ${formatCount(ev.validationCount)} validation rows (backend ${ev.backend}).`,
  );
  if (ev.task === 'classification') {
    out.push(`Network: accuracy ${pct(ev.metrics.accuracy)}, loss ${ev.metrics.loss?.toFixed(4)}`);
    const classes = ev.classes ?? [];
    const w = Math.max(6, ...classes.map((c) => c.length)) + 2;
    out.push('', 'Confusion matrix (rows: truth, columns: predicted)');
    out.push(' '.repeat(w) + classes.map((c) => c.padStart(w)).join(''));
    ev.confusion?.forEach((row, i) =>
      out.push((classes[i] ?? String(i)).padEnd(w) + row.map((v) => String(v).padStart(w)).join('')),
    );
    out.push(
      '',
      `${'class'.padEnd(w)}${'precision'.padStart(11)}${'recall'.padStart(9)}${'f1'.padStart(8)}${'support'.padStart(9)}`,
    );
    for (const c of ev.perClass ?? [])
      out.push(
        `${c.class.padEnd(w)}${c.precision.toFixed(3).padStart(11)}${c.recall.toFixed(3).padStart(9)}${c.f1.toFixed(3).padStart(8)}${String(c.support).padStart(9)}`,
      );
  } else {
    out.push(`Network: MAE ${ev.metrics.mae?.toFixed(4)}, R² ${ev.metrics.r2?.toFixed(4)}`);
  }
  out.push('', 'Baseline ladder (same split)');
  out.push(
    `  ${'your network'.padEnd(24)} ${ev.task === 'classification' ? pct(ev.metrics.accuracy) : `R² ${ev.metrics.r2?.toFixed(4)}`}`,
  );
  for (const b of ev.baselines)
    out.push(
      `  ${b.label.padEnd(24)} ${ev.task === 'classification' ? pct(b.metrics.accuracy) : `R² ${b.metrics.r2?.toFixed(4)}`}  (${b.trainMs} ms)${b.note ? `  ${b.note}` : ''}`,
    );
  out.push('', ev.verdict);
  return out.join('\n');
}

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

export function summaryTable(bundle: ProjectBundle, report: GraphReport): string {
  const rows: string[][] = [['Layer', 'Kind', 'Output shape', 'Params']];
  const byId = new Map(flatGraph(bundle.project.graph).nodes.map((n) => [n.id, n]));
  const ids = [...report.order, ...[...byId.keys()].filter((id) => !report.order.includes(id))];
  for (const id of ids) {
    const r = report.nodes.get(id);
    const n = byId.get(id)!;
    rows.push([
      n.name ? `${n.name} (${id})` : id,
      n.kind,
      r?.outputShape ? formatShape(r.outputShape) : n.kind === 'Output' ? '—' : '?',
      r?.params ? r.params.arithmetic : '?',
    ]);
  }
  const widths = [0, 1, 2].map((c) => Math.max(...rows.map((r) => r[c]!.length)) + 2);
  const line = '─'.repeat(widths.reduce((a, w) => a + w, 0) + 12);
  const out: string[] = [`Model: ${bundle.project.name}`, line];
  rows.forEach((r, i) => {
    out.push(r.map((cell, c) => (c < 3 ? pad(cell, widths[c]!) : cell)).join(''));
    if (i === 0) out.push(line);
  });
  out.push(line);
  out.push(`Total params: ${formatCount(report.totals.params)}`);
  out.push(`Trainable params: ${formatCount(report.totals.trainable)}`);
  out.push(`Non-trainable params: ${formatCount(report.totals.nonTrainable)}`);
  out.push(`FLOPs per sample (forward): ${formatCount(report.totals.flops)}`);
  return out.join('\n');
}
