/**
 * A project's findings (shared/training/diagnosis.ts) from what it holds: the graph, its last run's
 * saved history (curves and layer statistics) and how that run ended, and an evaluation.
 */
import type { ProjectBundle } from '../../shared/ir/project';
import { diagnose, type EpochPoint, type Finding } from '../../shared/training/diagnosis';
import type { Evaluation } from '../../shared/training/evaluation';
import type { EpochEndEvent } from '../../shared/training/protocol';
import { historyLine } from './runHistory';

/** A run's epochEnd events as the diagnosis reads them. */
export function epochPoints(events: readonly EpochEndEvent[]): EpochPoint[] {
  return events.map((e) => ({
    epoch: e.epoch,
    loss: e.metrics.loss,
    valLoss: e.valMetrics.loss,
    accuracy: e.metrics.accuracy,
    valAccuracy: e.valMetrics.accuracy,
    layers: e.layers,
  }));
}

export function projectFindings(bundle: ProjectBundle, evaluation?: Evaluation): Finding[] {
  const { project } = bundle;
  const run = project.runs[project.runs.length - 1];
  const text = run ? bundle.runs?.get(run.id) : undefined;
  const events = (text ?? '')
    .split('\n')
    .flatMap(historyLine)
    .filter((e): e is EpochEndEvent => e.type === 'epochEnd');
  return diagnose({
    graph: project.graph,
    config: run?.config ?? project.training,
    epochs: epochPoints(events),
    ...(run && run.status !== 'error' ? { end: { type: run.status, epoch: run.epochs } } : {}),
    ...(evaluation ? { evaluation } : {}),
  });
}
