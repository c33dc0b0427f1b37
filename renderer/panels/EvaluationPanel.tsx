/**
 * The Train view's right panel, always about the weights the document has (stale ones show
 * nothing): the decision boundary for 2-D data, the evaluation (baselines, confusion matrix or
 * regression scatter, misclassified examples) and a box to try the network on one example.
 */
import { useMemo, useState } from 'react';
import type { DataSummary } from '../../shared/ipc/contract';
import type { Evaluation } from '../../shared/training/evaluation';
import { api } from '../ipc/client';
import { useWeights } from '../store/hooks';
import { useAppStore } from '../store/store';
import { ProbePanel } from './ProbeBar';
import { BaselineLadder } from '../training/BaselineLadder';
import { ConfusionMatrix } from '../training/ConfusionMatrix';
import { DecisionBoundary } from '../training/DecisionBoundary';
import { type EncodedText, TextPredictBox } from '../training/TextPredictBox';
import { MisclassifiedList } from '../training/MisclassifiedList';
import { PredictBox, type PredictInput, type PredictResult } from '../training/PredictBox';
import { Reconstructions } from '../training/Reconstructions';
import { RegressionScatter } from '../training/RegressionScatter';

const store = () => useAppStore.getState();

/** Stale weights (outside a run) show no results. */
function useStale(): boolean {
  const weights = useWeights();
  const running = useAppStore((s) => s.status === 'running');
  return weights.state === 'stale' && !running;
}

function Boundary({ summary }: { summary: DataSummary }) {
  const grid = useAppStore((s) => s.grid);
  const boundary = useAppStore((s) => s.boundary);
  const stale = useStale();
  const probed = useAppStore((s) => s.probeSample);
  const canProbe = useAppStore((s) => s.hasWeights || s.status === 'running') && !stale;
  if (!grid || summary.preview.kind !== 'scatter') return null;
  const step = summary.preview.rowStep ?? 1;
  return (
    <>
      <h2>Decision boundary</h2>
      <DecisionBoundary
        grid={grid}
        values={stale ? [] : (boundary ?? [])}
        classes={summary.classes?.length ?? 2}
        points={summary.preview.points}
        {...(summary.classes ? { classNames: summary.classes } : {})}
        {...(canProbe ? { onPick: (k: number) => void store().probeAt(k * step) } : {})}
        highlight={probed !== null && probed % step === 0 ? probed / step : undefined}
      />
    </>
  );
}

/** Why there is no evaluation, with an Evaluate button where one can be made. */
function NoEvaluation({ stale }: { stale: boolean }) {
  const note = useAppStore((s) => s.evaluationNote);
  const hasWeights = useAppStore((s) => s.hasWeights);
  const weights = useWeights();
  const text =
    (stale
      ? 'No evaluation: the trained weights no longer fit the graph. Undo the change to see theirs again.'
      : null) ??
    note ??
    (hasWeights ? 'No evaluation of these weights yet.' : 'Train the network to evaluate it.');
  return (
    <p className="muted" data-testid="evaluation-note">
      {text}{' '}
      {hasWeights && weights.state === 'fit' && (
        <button type="button" className="link" data-testid="evaluate" onClick={() => void store().evaluate()}>
          Evaluate
        </button>
      )}
    </p>
  );
}

function Results({ ev, summary }: { ev: Evaluation; summary: DataSummary | null }) {
  // The network's own training time: the latest run that left weights (an error leaves none).
  const trainMs = useAppStore((s) => s.runs.findLast((r) => r.status !== 'error')?.durationMs);
  return (
    <>
      <p className="muted">
        On {ev.validationCount.toLocaleString('en-US')} validation rows of {ev.dataset} ({ev.backend}).
      </p>
      <BaselineLadder
        task={ev.task}
        network={ev.metrics}
        baselines={ev.baselines}
        verdict={ev.verdict}
        {...(trainMs !== undefined ? { networkTrainMs: trainMs } : {})}
      />
      {ev.confusion && ev.classes && ev.perClass && (
        <ConfusionMatrix classes={ev.classes} confusion={ev.confusion} perClass={ev.perClass} />
      )}
      {ev.reconstructions && ev.reconstructions.length > 0 && summary && imageShape(summary) && (
        <Reconstructions
          items={ev.reconstructions}
          shape={imageShape(summary)!}
          onSelect={(i) => void store().probeAt(i)}
        />
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
          onSelect={(i) => void store().probeAt(i)}
          items={ev.misclassified}
          classes={ev.classes}
          {...(summary?.featureNames ? { featureNames: summary.featureNames } : {})}
          {...(summary && summary.sampleShape.length === 3 ? { imageShape: summary.sampleShape } : {})}
        />
      )}
    </>
  );
}

/** Height, width and channels of an image sample, or undefined for other data. */
function imageShape(summary: DataSummary): [number, number, number] | undefined {
  const [h, w, c] = summary.sampleShape;
  return summary.sampleShape.length === 3 && h && w && c ? [h, w, c] : undefined;
}

/** What the predict box asks for: drawn images (h×w×1) or up to 64 typed features. */
function predictInputOf(summary: DataSummary | null): PredictInput | null {
  if (!summary) return null;
  const [h, w, c] = summary.sampleShape;
  if (summary.sampleShape.length === 3 && c === 1 && h !== undefined && w !== undefined)
    return { kind: 'image', width: w, height: h };
  const [n] = summary.sampleShape;
  if (summary.sampleShape.length === 1 && summary.xDtype === 'float32' && n !== undefined && n <= 64)
    return {
      kind: 'features',
      names: summary.featureNames ?? Array.from({ length: n }, (_, i) => `x${i + 1}`),
    };
  return null;
}

async function predict(docId: string, values: number[], summary: DataSummary | null): Promise<PredictResult> {
  const { outputs } = await api.request('model.predict', {
    docId,
    project: store().toProject(),
    input: values,
  });
  const classes = summary?.classes;
  if (summary?.task === 'classification' && classes)
    return { probabilities: outputs.length === 1 ? [1 - outputs[0]!, outputs[0]!] : outputs, classes };
  return { values: outputs };
}

/** Why Try it cannot answer yet (no weights, or weights that no longer fit), or undefined. */
function useNotReady(): string | undefined {
  const hasWeights = useAppStore((s) => s.hasWeights);
  const weights = useWeights();
  if (!hasWeights) return 'Train the network first.';
  if (weights.state === 'stale')
    return 'The trained weights no longer fit the graph: undo the change or train again.';
  return undefined;
}

/** Text data: type or paste a text; it is encoded with the project's vocabulary, classified and probed. */
function TextTryIt({ summary }: { summary: DataSummary }) {
  const notReady = useNotReady();
  const [state, setState] = useState<{
    result?: PredictResult;
    encoded?: EncodedText;
    error?: string;
    busy: boolean;
  }>({ busy: false });
  const classify = async (text: string) => {
    const { docId } = store();
    if (!docId) return;
    setState((p) => ({ ...p, busy: true }));
    try {
      const encoded = await api.request('data.encodeText', { docId, project: store().toProject(), text });
      void store().probeValues(encoded.ids);
      const result = await predict(docId, encoded.ids, summary);
      setState({ result, encoded, busy: false });
    } catch (err) {
      setState({ error: err instanceof Error ? err.message : String(err), busy: false });
    }
  };
  const error = state.error ?? notReady;
  return (
    <>
      <h2>Try it</h2>
      <TextPredictBox
        onClassify={(t) => void classify(t)}
        busy={state.busy}
        result={state.result}
        encoded={state.encoded}
        error={error}
      />
    </>
  );
}

function TryIt({ summary }: { summary: DataSummary | null }) {
  const notReady = useNotReady();
  const input = useMemo(() => predictInputOf(summary), [summary]);
  const [state, setState] = useState<{ result?: PredictResult; error?: string; busy: boolean }>({
    busy: false,
  });
  if (!input)
    return summary?.preview.kind === 'sequence' && summary.xDtype === 'int32' ? (
      <TextTryIt summary={summary} />
    ) : null;
  const run = (values: number[]) => {
    const { docId } = store();
    if (!docId) return;
    setState((p) => ({ ...p, busy: true }));
    // The canvas's probe views follow what was drawn or typed.
    void store().probeValues(values);
    predict(docId, values, summary).then(
      (result) => setState({ result, busy: false }),
      (err: unknown) => setState({ error: err instanceof Error ? err.message : String(err), busy: false }),
    );
  };
  const error = state.error ?? notReady;
  return (
    <>
      <h2>Try it</h2>
      <PredictBox
        input={input}
        onPredict={run}
        busy={state.busy}
        {...(state.result ? { result: state.result } : {})}
        {...(error ? { error } : {})}
      />
    </>
  );
}

export function EvaluationPanel() {
  const summary = useAppStore((s) => s.summary);
  const evaluation = useAppStore((s) => s.evaluation);
  const evaluating = useAppStore((s) => s.evaluating);
  const running = useAppStore((s) => s.status === 'running');
  const stale = useStale();
  const ev = stale ? null : evaluation;
  return (
    <section className="panel train-eval" aria-label="Evaluation">
      {summary && <Boundary summary={summary} />}
      <ProbePanel />
      {/* Drawing or typing an example comes before the long evaluation, where it is seen. */}
      <TryIt summary={summary} />
      <h2>Evaluation</h2>
      {running && !ev && <p className="muted">The evaluation comes when the run ends.</p>}
      {evaluating && !stale && <p className="muted">Evaluating…</p>}
      {!ev && (!evaluating || stale) && !running && <NoEvaluation stale={stale} />}
      {ev && <Results ev={ev} summary={summary} />}
    </section>
  );
}
