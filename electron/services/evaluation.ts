/**
 * Evaluating a trained project (CLI `evaluate`, the app's evaluation view): the network's metrics on
 * the validation rows, the confusion matrix and the examples it got wrong (classification), predicted
 * against actual values (regression) or the samples it rebuilt (an autoencoder), and the baseline
 * ladder on the same split with a plain verdict.
 */
import { checkGraph, type CheckGraph } from '../../shared/graph/check';
import type { ProjectBundle } from '../../shared/ir/project';
import { dataKind, type Evaluation, reconstructionVerdict, verdict } from '../../shared/training/evaluation';
import { regressionMetrics, runBaselines } from './datasets/baselines';
import type { LoadedDataset } from './datasets/builtin';
import { DataError, type LoadContext, type LoadedData, loadProjectData, predictArrays } from './training';

/** What the evaluation of either task shares. */
type Base = Pick<Evaluation, 'dataset' | 'trainCount' | 'validationCount' | 'baselines' | 'backend'>;

/** The validation rows and the network's outputs on them. */
interface Predicted {
  dataset: LoadedDataset;
  trainCount: number;
  holdout: number;
  /** Values per sample. */
  per: number;
  xVal: Float32Array | Int32Array;
  outputs: Float32Array;
  outputSize: number;
}

/** Evaluates the trained model on the validation rows and runs the baseline ladder on the same split. */
export async function evaluateProject(
  bundle: ProjectBundle,
  ctx: LoadContext,
  preloaded?: LoadedData,
): Promise<Evaluation> {
  const { dataset } = preloaded ?? (await loadProjectData(bundle.project, ctx));
  const holdout = dataset.holdout ?? 0;
  if (holdout < 1)
    throw new DataError('There are no validation rows to evaluate on: set a validation split above 0.');
  const trainCount = dataset.count - holdout;
  const per = dataset.sampleShape.reduce((a, d) => a * d, 1);
  const xVal = dataset.x.subarray(trainCount * per);
  const { outputs, outputSize, backend } = await predictArrays(
    bundle,
    xVal,
    dataset.sampleShape,
    dataset.xDtype,
    holdout,
  );
  const components = dataset.reconstruction ? narrowest(bundle.project.graph) : undefined;
  const baselines = (
    await runBaselines(dataset, {
      seed: bundle.project.training.seed,
      signal: ctx.signal,
      ...(components ? { components } : {}),
    })
  ).map((b) => ({
    id: b.id,
    label: b.label,
    metrics: b.metrics,
    trainMs: b.trainMs,
    ...(b.note ? { note: b.note } : {}),
  }));
  const base: Base = { dataset: dataset.name, trainCount, validationCount: holdout, baselines, backend };
  const p: Predicted = { dataset, trainCount, holdout, per, xVal, outputs, outputSize };
  return dataset.task === 'classification' ? classification(p, base) : regression(p, base);
}

/**
 * The fewest values any layer passes on for one sample: an autoencoder's bottleneck (undefined when
 * no layer has a known size).
 */
export function narrowest(graph: CheckGraph): number | undefined {
  let min: number | undefined;
  for (const r of checkGraph(graph).nodes.values()) {
    const dims = r.outputShape?.slice(1);
    if (!dims || r.kind === 'Input' || !dims.every((d) => typeof d === 'number')) continue;
    const n = (dims as number[]).reduce((a, d) => a * d, 1);
    if (n > 0) min = Math.min(min ?? n, n);
  }
  return min;
}

function argmaxRow(a: Float32Array, row: number, k: number): number {
  let best = 0;
  for (let j = 1; j < k; j++) if (a[row * k + j]! > a[row * k + best]!) best = j;
  return best;
}

function classification(
  { dataset, trainCount, holdout, per, xVal, outputs, outputSize }: Predicted,
  base: Base,
): Evaluation {
  const binary = outputSize === 1;
  const k = binary ? 2 : outputSize;
  const classes = dataset.classes ?? Array.from({ length: k }, (_, i) => String(i));
  const confusion = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  const misclassified: Evaluation['misclassified'] = [];
  let correct = 0;
  let loss = 0;
  for (let i = 0; i < holdout; i++) {
    const truth = dataset.y[trainCount + i]!;
    const probs = binary ? [1 - outputs[i]!, outputs[i]!] : Array.from(outputs.subarray(i * k, (i + 1) * k));
    const pred = binary ? (outputs[i]! >= 0.5 ? 1 : 0) : argmaxRow(outputs, i, k);
    loss += -Math.log(Math.max(1e-7, probs[truth] ?? 1e-7));
    if (truth >= 0 && truth < k) confusion[truth]![pred]!++;
    if (pred === truth) correct++;
    else if (misclassified.length < 50) {
      const row = Array.from(xVal.subarray(i * per, (i + 1) * per));
      const words = dataset.tokenizer?.words;
      // Text is shown as its words, not as token ids.
      const text = words
        ? row
            .filter((id) => id !== 0)
            .map((id) => words[id] ?? '<unk>')
            .join(' ')
            .slice(0, 20_000)
        : undefined;
      misclassified.push({
        index: trainCount + i,
        truth,
        predicted: pred,
        probabilities: probs,
        ...(text !== undefined ? { text } : per <= 1024 ? { input: row } : {}),
      });
    }
  }
  const perClass = classes.map((name, c) => {
    const tp = confusion[c]![c]!;
    const predicted = confusion.reduce((a, row) => a + row[c]!, 0);
    const support = confusion[c]!.reduce((a, v) => a + v, 0);
    const precision = predicted ? tp / predicted : 0;
    const recall = support ? tp / support : 0;
    const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
    return { class: name, precision, recall, f1, support };
  });
  const metrics = { accuracy: correct / holdout, loss: loss / holdout };
  return {
    ...base,
    task: 'classification',
    metrics,
    classes,
    confusion,
    perClass,
    misclassified,
    verdict: verdict('classification', metrics, base.baselines, dataKind(dataset)),
  };
}

/** Regression: MAE, MSE and R² over every target value; an autoencoder's samples beside their rebuilds. */
function regression({ dataset, trainCount, holdout, per, xVal, outputs }: Predicted, base: Base): Evaluation {
  const t = dataset.targetSize;
  const yVal = dataset.y.subarray(trainCount * t);
  let sq = 0;
  const scatter: [number, number][] = [];
  // At most 2,000 pairs, spread over every row (an image's first values are all background).
  const step = Math.max(1, Math.ceil(yVal.length / 2000));
  for (let i = 0; i < yVal.length; i++) {
    sq += (outputs[i]! - yVal[i]!) ** 2;
    if (i % step === 0) scatter.push([yVal[i]!, outputs[i]!]);
  }
  const metrics = { ...regressionMetrics(yVal, outputs, t), mse: sq / yVal.length };
  if (!dataset.reconstruction)
    return {
      ...base,
      task: 'regression',
      metrics,
      scatter,
      verdict: verdict('regression', metrics, base.baselines, dataKind(dataset)),
    };
  const reconstructions: NonNullable<Evaluation['reconstructions']> = [];
  for (let i = 0; i < Math.min(holdout, 12) && per <= 4096; i++) {
    const input = Array.from(xVal.subarray(i * per, (i + 1) * per));
    const output = Array.from(outputs.subarray(i * per, (i + 1) * per));
    const mse = input.reduce((a, v, j) => a + (v - output[j]!) ** 2, 0) / per;
    reconstructions.push({ index: trainCount + i, input, output, mse });
  }
  return {
    ...base,
    task: 'regression',
    metrics,
    scatter,
    reconstructions,
    verdict: reconstructionVerdict(metrics, base.baselines),
  };
}
