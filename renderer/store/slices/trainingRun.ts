/**
 * The training slice's run actions: start and stop a run, take in its streamed events, evaluate the
 * document's weights, draw the decision boundary, overlay, show and restore past runs.
 */
import type { TrainingEventView } from '../../../shared/ipc/contract';
import type { RunSummary } from '../../../shared/ir/schema';
import { api } from '../../ipc/client';
import {
  curvesOf,
  emptyCurves,
  epochEnds,
  errorText,
  layerEpoch,
  type Point,
  runLabel,
  spansDecades,
  withEpochEnd,
  withProgress,
} from '../curves';
import { selectWeights } from '../selectors';
import type { GetState, SetState } from '../state';

const metricOf = (get: GetState) => (get().summary?.task === 'regression' ? 'mae' : 'accuracy');

export async function start(set: SetState, get: GetState): Promise<void> {
  const { docId } = get();
  if (!docId || get().status === 'running') return;
  set({
    status: 'running',
    message: null,
    progress: null,
    final: null,
    curves: emptyCurves(metricOf(get)),
    evaluation: null,
    evaluationNote: null,
    kept: null,
    lossLog: false,
    boundary: null,
    units: null,
    layerHistory: [],
    liveLayers: null,
    checkpoint: null,
  });
  // The graph is read-only from now until the run ends (the services refuse changes too).
  get().setLocked(true);
  try {
    const { runId } = await api.request('training.start', {
      docId,
      project: get().toProject(),
      grid: get().grid,
    });
    set({ runId });
    // A sample picked before the run: its views go on live.
    void get().refreshProbe();
  } catch (err) {
    get().setLocked(false);
    set({ status: 'error', message: errorText(err) });
  }
}

export async function stop(get: GetState): Promise<void> {
  const { runId } = get();
  if (runId) await api.request('training.cancel', { runId });
}

export async function evaluate(set: SetState, get: GetState): Promise<void> {
  const { docId } = get();
  if (!docId) return;
  const w = selectWeights(get());
  if (w.state !== 'fit') {
    const evaluationNote =
      w.state === 'none'
        ? 'Train the network to evaluate it.'
        : `${w.reason} Undo the change, or train again.`;
    return set({ evaluation: null, evaluationNote });
  }
  set({ evaluating: true, evaluationNote: null });
  try {
    const evaluation = await api.request('model.evaluate', { docId, project: get().toProject() });
    set({ evaluation, evaluating: false });
  } catch (err) {
    set({ evaluating: false, evaluation: null, evaluationNote: `No evaluation: ${errorText(err)}` });
  }
}

export async function refreshBoundary(set: SetState, get: GetState): Promise<void> {
  const { docId, grid, checkpoint } = get();
  if (!docId || !grid) return;
  // No weights that fit: no boundary (never one drawn by weights the project no longer has).
  if (selectWeights(get()).state !== 'fit') return set({ boundary: null, units: null });
  try {
    const project = get().toProject();
    const at = checkpoint !== null ? { checkpoint } : {};
    const { outputs } = await api.request('model.predictGrid', { docId, project, grid, ...at });
    set((s) => ({ boundary: outputs, boundaryVersion: s.boundaryVersion + 1 }));
    const { units } = await api.request('model.unitGrids', { docId, project, grid, ...at });
    set({ units });
  } catch {
    // The boundary keeps what it showed; the evaluation panel says what is wrong.
  }
}

export async function overlay(set: SetState, get: GetState, runIds: string[]): Promise<void> {
  const { docId } = get();
  if (!docId) return;
  const history = await api.request('runs.history', { docId, runIds });
  set({
    overlays: Object.fromEntries(Object.entries(history).map(([id, events]) => [id, epochEnds(events)])),
  });
}

export async function showRun(set: SetState, get: GetState, runId: string): Promise<void> {
  const { docId, runs } = get();
  if (!docId || get().status === 'running') return;
  const history = await api.request('runs.history', { docId, runIds: [runId] });
  const events = history[runId] ?? [];
  const curves = curvesOf(events, metricOf(get));
  const run = runs.find((r) => r.id === runId);
  set({
    curves,
    layerHistory: epochEnds(events).flatMap(layerEpoch),
    checkpoint: null,
    ...(run ? { final: run.finalMetrics } : {}),
  });
}

export async function restore(set: SetState, get: GetState, runId: string): Promise<void> {
  const { docId, runs } = get();
  if (!docId) return;
  try {
    const { weightSpecs } = await api.request('runs.restore', { docId, runId, project: get().toProject() });
    get().setWeightSpecs(weightSpecs, runId);
    // The views follow the restored weights, not a snapshot of the last run.
    set({ checkpoint: null });
    get().markEdited();
    get().notify(`Restored the weights of ${runLabel(runs, runId)}`);
    await get().evaluate();
    await get().refreshBoundary();
    await get().refreshProbe();
    await get().refreshEdgeWeights();
  } catch (err) {
    get().notify(errorText(err), 'error');
  }
}

export function handleEvent(set: SetState, get: GetState, e: TrainingEventView): void {
  const s = get();
  if (s.runId && e.runId !== s.runId && s.status !== 'running') return;
  if (e.type === 'progress') return set({ runId: e.runId, progress: e, curves: withProgress(s.curves, e) });
  if (e.type === 'epochEnd')
    return set({
      runId: e.runId,
      curves: withEpochEnd(s.curves, e),
      ...(e.probe ? { boundary: e.probe, boundaryVersion: s.boundaryVersion + 1 } : {}),
      ...(e.units ? { units: e.units } : {}),
      ...(e.layers ? { layerHistory: [...s.layerHistory, ...layerEpoch(e)] } : {}),
    });
  if (e.type === 'layerStats')
    return set({ liveLayers: { epoch: e.epoch, batch: e.batch, batches: e.batches, layers: e.layers } });
  if (e.type === 'inspect') {
    // The live probe: the activations of the sample set with training.probe, with the weights now.
    const p = s.probe;
    if (!p || s.status !== 'running') return;
    const tokens = p.tokens;
    const nodes = tokens ? e.nodes.map((n) => (n.attention ? { ...n, tokens } : n)) : e.nodes;
    return set({ probe: { ...p, nodes }, probeBusy: false });
  }
  s.setLocked(false);
  if (e.type === 'error') return set({ status: 'error', message: e.message, runId: e.runId });
  const run: RunSummary | null = e.run;
  const replaced = e.type === 'done' || (e.type === 'diverged' && e.kept === 'best-epoch');
  if (run) s.addRun(run, e.weightSpecs, replaced);
  else s.setWeightSpecs(e.weightSpecs);
  if (e.type === 'done')
    set({
      status: 'done',
      final: run?.finalMetrics ?? null,
      message: e.stoppedEarly ? `Stopped early: ${e.stoppedEarly.reason}` : null,
    });
  else if (e.type === 'diverged') {
    // The curve goes up to the blow-up: the last finite loss is drawn where it happened, on a log
    // axis when it dwarfs the rest.
    const c = s.curves;
    const x = e.epoch - 1 + e.batch / Math.max(1, s.progress?.batches ?? e.batch);
    const blown = Number(e.loss);
    const batchLoss: Point[] = Number.isFinite(blown) ? [...c.batchLoss, [x, blown]] : c.batchLoss;
    set({
      status: 'diverged',
      message: e.message,
      kept: e.keptMessage,
      final: e.kept === 'best-epoch' ? (run?.finalMetrics ?? null) : null,
      curves: { ...c, batchLoss },
      lossLog: spansDecades([...batchLoss, ...c.epochLoss, ...c.valLoss]),
    });
  } else
    set({
      status: 'cancelled',
      message: null,
      kept: get().hasWeights
        ? 'Stopped. The weights from before this run are kept (this run’s are in its history).'
        : 'Stopped. The project had no trained weights before this run, so it has none now.',
    });
  // Every panel shows the weights the document now has.
  void get().evaluate();
  void get().refreshBoundary();
  void get().refreshProbe();
  void get().refreshEdgeWeights();
}
