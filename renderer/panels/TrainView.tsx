/**
 * The Train view: data (built-in or imported CSV, preview, split), the training settings, Start /
 * Stop with live curves, the decision boundary for 2-D data, and the evaluation: confusion matrix,
 * baseline ladder with its verdict, misclassified examples, a predict box, and the run history.
 * It wires the presentational components in renderer/training to the stores and the services.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import type { DataSpec } from '../../shared/ir/schema';
import { api } from '../ipc/client';
import { useEditor, useReport, useWeights } from '../store/editor';
import { runLabel, useTraining, type Point } from '../store/training';
import { BaselineLadder } from '../training/BaselineLadder';
import { ConfusionMatrix } from '../training/ConfusionMatrix';
import { DataPreview } from '../training/DataPreview';
import { DecisionBoundary } from '../training/DecisionBoundary';
import { LiveChart, type ChartSeries } from '../training/LiveChart';
import { MisclassifiedList } from '../training/MisclassifiedList';
import { PredictBox, type PredictInput, type PredictResult } from '../training/PredictBox';
import { RegressionScatter } from '../training/RegressionScatter';
import { RunHistory } from '../training/RunHistory';
import { TrainingForm } from '../training/TrainingForm';
import { TrainingStatus } from '../training/TrainingStatus';

function specKey(spec: DataSpec | null): string {
  if (!spec) return '';
  if (spec.source === 'builtin') return spec.dataset;
  return 'csv';
}

function DataPanel() {
  const datasets = useTraining((s) => s.datasets);
  const summary = useTraining((s) => s.summary);
  const dataError = useTraining((s) => s.dataError);
  const loading = useTraining((s) => s.dataLoading);
  const running = useTraining((s) => s.status === 'running');
  const spec = useEditor((s) => s.data);
  const docId = useEditor((s) => s.docId);
  const fileInput = useRef<HTMLInputElement>(null);
  const [uploading, setUploading] = useState(false);

  useEffect(() => {
    void useTraining.getState().loadDatasets();
  }, []);

  const chosen = datasets.find((d) => spec?.source === 'builtin' && d.id === spec.dataset);

  const pick = (id: string) => {
    if (id === '') return void useTraining.getState().setData(null);
    if (id === 'csv') return fileInput.current?.click();
    void useTraining.getState().setData({ source: 'builtin', dataset: id, options: {} });
  };

  const importCsv = async (file: File) => {
    if (!docId) return;
    setUploading(true);
    try {
      const name = file.name.replace(/[^A-Za-z0-9_.-]/g, '_').replace(/^[^A-Za-z0-9_]/, '_');
      const safe = name.toLowerCase().endsWith('.csv') ? name : `${name}.csv`;
      const { file: stored } = await api.request('data.upload', {
        docId,
        name: safe,
        text: await file.text(),
      });
      await useTraining
        .getState()
        .setData({ source: 'csv', file: stored, embedded: true, target: '', columns: [] });
    } catch (err) {
      useTraining.setState({ dataError: err instanceof Error ? err.message : String(err) });
    } finally {
      setUploading(false);
    }
  };

  const header = summary?.preview.kind === 'table' ? summary.preview.header : [];
  return (
    <section className="panel train-data" aria-label="Data">
      <h2>Data</h2>
      <label className="field">
        <span className="field-label">Dataset</span>
        <select
          data-testid="dataset-select"
          value={specKey(spec)}
          disabled={running}
          onChange={(e) => pick(e.target.value)}
        >
          <option value="">Choose…</option>
          {datasets.map((d) => (
            <option key={d.id} value={d.id}>
              {d.name} ({d.size.toLocaleString('en-US')})
            </option>
          ))}
          <option value="csv">
            {spec?.source === 'csv' ? `CSV: ${spec.file.replace(/^data\//, '')}` : 'Import a CSV…'}
          </option>
        </select>
      </label>
      <input
        ref={fileInput}
        type="file"
        accept=".csv,text/csv"
        data-testid="data-import-csv"
        className="visually-hidden"
        onChange={(e) => {
          const f = e.target.files?.[0];
          e.target.value = '';
          if (f) void importCsv(f);
        }}
      />
      <button className="link" onClick={() => fileInput.current?.click()} disabled={running}>
        Import a CSV…
      </button>
      {chosen && <p className="muted">{chosen.description}</p>}
      {spec?.source === 'csv' && header.length > 0 && (
        <label className="field">
          <span className="field-label">Target</span>
          <select
            data-testid="data-target"
            value={spec.target || (summary?.featureNames ? '' : header[header.length - 1])}
            onChange={(e) =>
              void useTraining
                .getState()
                .setData({ ...spec, target: e.target.value, preprocessing: undefined })
            }
          >
            {header.map((h) => (
              <option key={h} value={h}>
                {h}
              </option>
            ))}
          </select>
        </label>
      )}
      {(loading || uploading) && (
        <div className="data-loading" data-testid="data-loading">
          <progress
            max={loading?.totalBytes || 1}
            value={loading?.bytesRead ?? 0}
            aria-label="Import progress"
          />
          <span className="muted">
            {uploading ? 'Sending…' : `${(loading?.rows ?? 0).toLocaleString('en-US')} rows read`}
          </span>
          <button onClick={() => useTraining.getState().cancelDataLoad()} data-testid="data-cancel">
            Cancel
          </button>
        </div>
      )}
      {dataError && (
        <p className="error-message" data-testid="data-error">
          {dataError}
        </p>
      )}
      {summary && (
        <>
          <p className="data-facts" data-testid="data-summary">
            <strong>{summary.name}</strong> · {summary.task} · {summary.count.toLocaleString('en-US')} samples
            of [{summary.sampleShape.join(', ')}]
            {summary.classes ? ` · ${summary.classes.length} classes` : ''}
            <br />
            <span className="muted">
              {summary.trainCount.toLocaleString('en-US')} for training,{' '}
              {summary.validationCount.toLocaleString('en-US')} for validation
            </span>
          </p>
          {summary.warnings.map((w) => (
            <p key={w} className="muted">
              ⚠ {w}
            </p>
          ))}
          <DataPreview preview={summary.preview} />
        </>
      )}
    </section>
  );
}

function overlaySeries(
  overlays: ReturnType<typeof useTraining.getState>['overlays'],
  key: 'loss' | 'accuracy' | 'mae',
  runs: Parameters<typeof runLabel>[0],
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

export function TrainView() {
  const t = useTraining();
  const training = useEditor((s) => s.meta.training);
  const runs = useEditor((s) => s.runs);
  const hasWeights = useEditor((s) => s.hasWeights);
  const currentRunId = useEditor((s) => s.currentRunId);
  const weights = useWeights();
  const report = useReport();
  const spec = useEditor((s) => s.data);
  const [predict, setPredict] = useState<{ result?: PredictResult; error?: string; busy: boolean }>({
    busy: false,
  });

  useEffect(() => {
    // Reopened projects: load their data and show the last evaluation without retraining.
    const s = useTraining.getState();
    const ed = useEditor.getState();
    if (ed.data && !s.summary && !s.dataLoading)
      void s.setData(ed.data).then(() => {
        // A saved evaluation is shown as it is; only a trained project without one is evaluated.
        if (ed.hasWeights && !useTraining.getState().evaluation) void s.evaluate();
        if (ed.hasWeights) void s.refreshBoundary();
        const last = ed.runs[ed.runs.length - 1];
        if (last) void s.showRun(last.id);
      });
  }, [spec === null]);

  const running = t.status === 'running';
  const startHint = !spec
    ? 'Choose a dataset first.'
    : !report.valid
      ? `Fix the ${report.errors} problem${report.errors === 1 ? '' : 's'} in the graph first.`
      : undefined;
  const metric = t.curves.metricName;
  const lossSeries: ChartSeries[] = [
    { label: 'loss (batch)', points: t.curves.batchLoss, faint: true },
    { label: 'loss', points: t.curves.epochLoss },
    { label: 'val loss', points: t.curves.valLoss },
    ...overlaySeries(t.overlays, 'loss', runs),
  ];
  const metricSeries: ChartSeries[] = [
    { label: `${metric} (batch)`, points: t.curves.batchMetric, faint: true },
    { label: metric, points: t.curves.epochMetric },
    { label: `val ${metric}`, points: t.curves.valMetric },
    ...overlaySeries(t.overlays, metric, runs),
  ];
  const summary = t.summary;
  // What is shown is always about the weights the document has: stale ones show nothing.
  const stale = weights.state === 'stale' && !running;
  const ev = stale ? null : t.evaluation;
  const predictInput: PredictInput | null = useMemo(() => {
    if (!summary) return null;
    const [h, w, c] = summary.sampleShape;
    if (summary.sampleShape.length === 3 && c === 1 && h !== undefined && w !== undefined)
      return { kind: 'image', width: w, height: h };
    if (
      summary.sampleShape.length === 1 &&
      summary.xDtype === 'float32' &&
      (summary.sampleShape[0] ?? 0) <= 64
    )
      return {
        kind: 'features',
        names: summary.featureNames ?? Array.from({ length: summary.sampleShape[0]! }, (_, i) => `x${i + 1}`),
      };
    return null;
  }, [summary]);

  const runPredict = async (values: number[]) => {
    const ed = useEditor.getState();
    if (!ed.docId) return;
    setPredict((p) => ({ ...p, busy: true }));
    try {
      const { outputs } = await api.request('model.predict', {
        docId: ed.docId,
        project: ed.toProject(),
        input: values,
      });
      const classes = summary?.classes;
      let result: PredictResult;
      if (summary?.task === 'classification' && classes) {
        const probabilities = outputs.length === 1 ? [1 - outputs[0]!, outputs[0]!] : outputs;
        result = { probabilities, classes };
      } else result = { values: outputs };
      setPredict({ result, busy: false });
    } catch (err) {
      setPredict({ error: err instanceof Error ? err.message : String(err), busy: false });
    }
  };

  return (
    <div className="train-view" data-testid="train-view">
      <DataPanel />
      <section className="panel train-main" aria-label="Training">
        <h2>Training</h2>
        {weights.state === 'stale' && (
          <p className="train-alert alert-error" data-testid="weights-stale" role="status">
            {weights.reason} Undo the change to use them again, or train again; saving leaves them out.
          </p>
        )}
        <TrainingForm
          config={training}
          onChange={(c) => useEditor.getState().setTraining(c)}
          disabled={running}
          {...(summary ? { trainCount: summary.trainCount } : {})}
        />
        <TrainingStatus
          status={t.status}
          {...(t.progress ? { progress: t.progress } : {})}
          {...(t.message ? { message: t.message } : {})}
          {...(t.kept ? { kept: t.kept } : {})}
          {...(t.final ? { final: t.final } : {})}
          canStart={!startHint && !running}
          onStart={() => void t.start()}
          onStop={() => void t.stop()}
          {...(startHint ? { startHint } : {})}
          learningRate={training.learningRate}
          onUseLearningRate={(lr) => useEditor.getState().setTraining({ ...training, learningRate: lr })}
        />
        <div className="charts">
          <LiveChart
            title="Loss"
            series={lossSeries}
            xLabel="epoch"
            testId="loss-chart"
            emptyText="Press Start to train."
            logScale={t.lossLog}
          />
          <LiveChart
            title={metric === 'accuracy' ? 'Accuracy' : 'Mean absolute error'}
            series={metricSeries}
            xLabel="epoch"
            testId="metric-chart"
          />
        </div>
        <RunHistory
          runs={runs}
          onOverlay={(ids) => void t.overlay(ids)}
          onRestore={(id) => void t.restore(id)}
          currentRunId={hasWeights ? currentRunId : null}
          busy={running}
        />
      </section>
      <section className="panel train-eval" aria-label="Evaluation">
        {t.grid && summary?.preview.kind === 'scatter' && (
          <>
            <h2>Decision boundary</h2>
            <DecisionBoundary
              grid={t.grid}
              values={stale ? [] : (t.boundary ?? [])}
              classes={summary.classes?.length ?? 2}
              points={summary.preview.points}
              {...(summary.classes ? { classNames: summary.classes } : {})}
            />
          </>
        )}
        <h2>Evaluation</h2>
        {running && !ev && <p className="muted">The evaluation comes when the run ends.</p>}
        {t.evaluating && !stale && <p className="muted">Evaluating…</p>}
        {!ev && (!t.evaluating || stale) && !running && (
          <p className="muted" data-testid="evaluation-note">
            {(stale
              ? 'No evaluation: the trained weights no longer fit the graph. Undo the change to see theirs again.'
              : null) ??
              t.evaluationNote ??
              (hasWeights ? 'No evaluation of these weights yet.' : 'Train the network to evaluate it.')}{' '}
            {hasWeights && weights.state === 'fit' && (
              <button type="button" className="link" data-testid="evaluate" onClick={() => void t.evaluate()}>
                Evaluate
              </button>
            )}
          </p>
        )}
        {ev && (
          <>
            <p className="muted">
              On {ev.validationCount.toLocaleString('en-US')} validation rows of {ev.dataset} ({ev.backend}).
            </p>
            <BaselineLadder
              task={ev.task}
              network={ev.metrics}
              baselines={ev.baselines}
              verdict={ev.verdict}
            />
            {ev.confusion && ev.classes && ev.perClass && (
              <ConfusionMatrix classes={ev.classes} confusion={ev.confusion} perClass={ev.perClass} />
            )}
            {ev.scatter && (
              <RegressionScatter
                points={ev.scatter}
                {...(ev.metrics.r2 !== undefined ? { r2: ev.metrics.r2 } : {})}
                {...(ev.metrics.mae !== undefined ? { mae: ev.metrics.mae } : {})}
              />
            )}
            {ev.misclassified && ev.classes && ev.misclassified.length > 0 && (
              <MisclassifiedList
                items={ev.misclassified}
                classes={ev.classes}
                {...(summary?.featureNames ? { featureNames: summary.featureNames } : {})}
                {...(summary && summary.sampleShape.length === 3 ? { imageShape: summary.sampleShape } : {})}
              />
            )}
          </>
        )}
        {predictInput && (
          <>
            <h2>Try it</h2>
            <PredictBox
              input={predictInput}
              onPredict={(v) => void runPredict(v)}
              busy={predict.busy}
              {...(predict.result ? { result: predict.result } : {})}
              {...(predict.error
                ? { error: predict.error }
                : !hasWeights
                  ? { error: 'Train the network first.' }
                  : weights.state === 'stale'
                    ? {
                        error: 'The trained weights no longer fit the graph: undo the change or train again.',
                      }
                    : {})}
            />
          </>
        )}
      </section>
    </div>
  );
}
