/**
 * The Train view's middle panel: the stale-weights alert, the training settings, Start / Stop with
 * the run's status, the live loss and metric curves (with overlaid past runs) and the run history.
 */
import { useShallow } from 'zustand/react/shallow';
import type { RunSummary } from '../../shared/ir/schema';
import { type Curves, type Point, runLabel } from '../store/curves';
import { useReport, useWeights } from '../store/hooks';
import type { TrainingSlice } from '../store/slices/training';
import { DiagnosisPanel } from './DiagnosisPanel';
import { LayersPanel } from './LayersPanel';
import { LrFinder } from './LrFinder';
import { Recommended } from './Recommended';
import { useAppStore } from '../store/store';
import { type ChartSeries, LiveChart } from '../training/LiveChart';
import { RunHistory } from '../training/RunHistory';
import { TrainingForm } from '../training/TrainingForm';
import { TrainingStatus } from '../training/TrainingStatus';

const store = () => useAppStore.getState();

function overlaySeries(
  overlays: TrainingSlice['overlays'],
  key: 'loss' | 'accuracy' | 'mae',
  runs: readonly RunSummary[],
): ChartSeries[] {
  return Object.entries(overlays).map(([id, events]) => ({
    label: `${runLabel(runs, id).replace(/ \(.*\)$/, '')} val`,
    dashed: true,
    points: events
      .map((e): Point | null => {
        const v = e.valMetrics[key] ?? e.metrics[key];
        return v === undefined ? null : [e.epoch, v];
      })
      .filter((p): p is Point => p !== null),
  }));
}

function lossSeries(
  c: Curves,
  overlays: TrainingSlice['overlays'],
  runs: readonly RunSummary[],
): ChartSeries[] {
  return [
    { label: 'loss (batch)', points: c.batchLoss, faint: true },
    { label: 'loss', points: c.epochLoss },
    { label: 'val loss', points: c.valLoss },
    ...overlaySeries(overlays, 'loss', runs),
  ];
}

function metricSeries(
  c: Curves,
  overlays: TrainingSlice['overlays'],
  runs: readonly RunSummary[],
): ChartSeries[] {
  const metric = c.metricName;
  return [
    { label: `${metric} (batch)`, points: c.batchMetric, faint: true },
    { label: metric, points: c.epochMetric },
    { label: `val ${metric}`, points: c.valMetric },
    ...overlaySeries(overlays, metric, runs),
  ];
}

function Charts() {
  const { curves, overlays, lossLog, runs } = useAppStore(
    useShallow((s) => ({ curves: s.curves, overlays: s.overlays, lossLog: s.lossLog, runs: s.runs })),
  );
  return (
    <div className="charts">
      <LiveChart
        title="Loss"
        series={lossSeries(curves, overlays, runs)}
        xLabel="epoch"
        testId="loss-chart"
        emptyText="Press Start to train."
        logScale={lossLog}
      />
      <LiveChart
        title={curves.metricName === 'accuracy' ? 'Accuracy' : 'Mean absolute error'}
        series={metricSeries(curves, overlays, runs)}
        xLabel="epoch"
        testId="metric-chart"
      />
    </div>
  );
}

/** Start / Stop and the run's status; why Start is not possible yet. */
function RunControls() {
  const t = useAppStore(
    useShallow((s) => ({
      status: s.status,
      progress: s.progress,
      message: s.message,
      kept: s.kept,
      final: s.final,
    })),
  );
  const training = useAppStore((s) => s.meta.training);
  const hasData = useAppStore((s) => s.data !== null);
  const report = useReport();
  const running = t.status === 'running';
  const startHint = !hasData
    ? 'Choose a dataset first.'
    : !report.valid
      ? `Fix the ${report.errors} problem${report.errors === 1 ? '' : 's'} in the graph first.`
      : undefined;
  return (
    <TrainingStatus
      status={t.status}
      {...(t.progress ? { progress: t.progress } : {})}
      {...(t.message ? { message: t.message } : {})}
      {...(t.kept ? { kept: t.kept } : {})}
      {...(t.final ? { final: t.final } : {})}
      canStart={!startHint && !running}
      onStart={() => void store().startTraining()}
      onStop={() => void store().stopTraining()}
      {...(startHint ? { startHint } : {})}
      learningRate={training.learningRate}
      onUseLearningRate={(lr) => store().setTraining({ ...training, learningRate: lr })}
    />
  );
}

export function RunPanel() {
  const training = useAppStore((s) => s.meta.training);
  const runs = useAppStore((s) => s.runs);
  const currentRunId = useAppStore((s) => (s.hasWeights ? s.currentRunId : null));
  const running = useAppStore((s) => s.status === 'running');
  const trainCount = useAppStore((s) => s.summary?.trainCount);
  const weights = useWeights();
  return (
    <section className="panel train-main" aria-label="Training">
      <h2>Training</h2>
      {weights.state === 'stale' && (
        <p className="train-alert alert-error" data-testid="weights-stale" role="status">
          {weights.reason} Undo the change to use them again, or train again; saving leaves them out.
        </p>
      )}
      <Recommended />
      <TrainingForm
        config={training}
        onChange={(c) => store().setTraining(c)}
        disabled={running}
        {...(trainCount !== undefined ? { trainCount } : {})}
        learningRateTool={<LrFinder />}
      />
      <RunControls />
      <DiagnosisPanel />
      <Charts />
      <LayersPanel />
      <RunHistory
        runs={runs}
        onOverlay={(ids) => void store().overlay(ids)}
        onRestore={(id) => void store().restoreRun(id)}
        currentRunId={currentRunId}
        busy={running}
      />
    </section>
  );
}
