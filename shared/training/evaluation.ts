/**
 * What evaluating a trained project produces (CLI `evaluate`, the app's evaluation view): the
 * network's metrics on the validation rows, the confusion matrix and per-class scores, examples it
 * got wrong, and the baseline ladder on the same split with a plain verdict.
 */
import { z } from 'zod';

const num = z.number();
const count = z.int().min(0).max(1e12);
const label = z.string().max(1000);
/** Class lists, confusion matrices and per-class scores: at most this many classes. */
const MAX_CLASSES = 1000;

export const classScoreSchema = z.strictObject({
  class: label,
  precision: num,
  recall: num,
  f1: num,
  support: count,
});
export type ClassScore = z.infer<typeof classScoreSchema>;

export const baselineRowSchema = z.strictObject({
  id: z.string().max(64),
  label,
  /** accuracy (classification) or mae and r2 (regression), on the same validation rows. */
  metrics: z.record(z.string().max(64), num),
  trainMs: num,
  note: z.string().max(4000).optional(),
});
export type BaselineRow = z.infer<typeof baselineRowSchema>;

export const misclassifiedSchema = z.strictObject({
  /** Row index in the dataset. */
  index: count,
  truth: z.int(),
  predicted: z.int(),
  probabilities: z.array(num).max(MAX_CLASSES),
  /** The input values (tabular rows, or pixels of small images), for showing the example. */
  input: z.array(num).max(4096).optional(),
  /** Text data: the example's words (padding left out; unknown words as <unk>), instead of token ids. */
  text: z.string().max(20_000).optional(),
});
export type Misclassified = z.infer<typeof misclassifiedSchema>;

/**
 * An evaluation, as `weights/evaluation.json` stores it. Strict and bounded (every list has a
 * maximum, nesting is fixed by the schema), so a hostile file cannot make a reader recurse or
 * allocate without limit.
 */
export const evaluationSchema = z.strictObject({
  task: z.enum(['classification', 'regression']),
  dataset: label,
  trainCount: count,
  validationCount: count,
  /** accuracy, loss (classification); mae, r2, mse (regression). */
  metrics: z.record(z.string().max(64), num),
  classes: z.array(label).max(MAX_CLASSES).optional(),
  /** confusion[truth][predicted] = count; totals equal validationCount. */
  confusion: z.array(z.array(count).max(MAX_CLASSES)).max(MAX_CLASSES).optional(),
  perClass: z.array(classScoreSchema).max(MAX_CLASSES).optional(),
  misclassified: z.array(misclassifiedSchema).max(1000).optional(),
  /**
   * Data whose targets are its inputs (an autoencoder): validation samples beside what the network
   * rebuilt from them, with the mean squared error of each.
   */
  reconstructions: z
    .array(
      z.strictObject({
        index: count,
        input: z.array(num).max(4096),
        output: z.array(num).max(4096),
        mse: num,
      }),
    )
    .max(64)
    .optional(),
  /** [actual, predicted] pairs for regression (at most 2,000). */
  scatter: z
    .array(z.tuple([num, num]))
    .max(100_000)
    .optional(),
  baselines: z.array(baselineRowSchema).max(64),
  verdict: z.string().max(4000),
  backend: z.string().max(64),
});
export type Evaluation = z.infer<typeof evaluationSchema>;

/** What the data is, as the verdict names it. */
export type DataKind = 'tabular' | 'images' | 'text';

/** Token ids are text; samples with two or more axes (height × width...) are images; else tabular. */
export const dataKind = (d: { xDtype: 'float32' | 'int32'; sampleShape: readonly number[] }): DataKind =>
  d.xDtype === 'int32' ? 'text' : d.sampleShape.length >= 2 ? 'images' : 'tabular';

const KIND_WORDS: Record<DataKind, string> = { tabular: 'tabular data', images: 'images', text: 'texts' };
const ARCHITECTURE_HINT: Record<DataKind, string> = {
  tabular: 'a better architecture',
  images: 'convolutions (Conv2D and pooling) that see pixels as neighbours',
  text: 'an embedding and a sequence layer (LSTM, GRU or attention) that read the words in order',
};

/** The plain-words verdict on whether a network was worth it (the guide's "when NNs are overkill"). */
export function verdict(
  task: Evaluation['task'],
  network: Record<string, number>,
  baselines: readonly BaselineRow[],
  kind: DataKind = 'tabular',
): string {
  const useful = baselines.filter((b) => b.id !== 'majority');
  if (useful.length === 0) return 'No baseline could be trained on this data.';
  if (task === 'classification') {
    const net = network.accuracy ?? NaN;
    const best = useful.reduce((a, b) => ((b.metrics.accuracy ?? 0) > (a.metrics.accuracy ?? 0) ? b : a));
    const b = best.metrics.accuracy ?? NaN;
    const pts = (x: number) => `${(x * 100).toFixed(1)}%`;
    const gap = (net - b) * 100;
    if (!Number.isFinite(net)) return 'Train the network to compare it with the baselines.';
    if (gap < -1)
      return `The ${best.label.toLowerCase()} beats your network (${pts(b)} vs ${pts(net)}) on these ${KIND_WORDS[kind]} with no training curve to tune. Start there, or give the network more data, epochs or ${ARCHITECTURE_HINT[kind]}.`;
    if (gap <= 1)
      return kind === 'tabular'
        ? `The ${best.label.toLowerCase()} matches your network within 1 point (${pts(b)} vs ${pts(net)}) with no training curve to tune: for tabular data like this, start there.`
        : `The ${best.label.toLowerCase()} matches your network within 1 point (${pts(b)} vs ${pts(net)}). On ${KIND_WORDS[kind]} a network usually pulls ahead with ${ARCHITECTURE_HINT[kind]}; until it does, the baseline is the simpler choice.`;
    if (gap <= 5)
      return `Your network beats the best baseline (${best.label.toLowerCase()}, ${pts(b)}) by ${gap.toFixed(1)} points (${pts(net)}). Worth it if those points matter; the baseline is simpler to explain and to train.`;
    return `Your network clearly beats the baselines: ${pts(net)} against ${pts(b)} for the ${best.label.toLowerCase()}. On these ${KIND_WORDS[kind]} a neural network earns its keep.`;
  }
  const net = network.r2 ?? NaN;
  const best = useful.reduce((a, b) => ((b.metrics.r2 ?? -Infinity) > (a.metrics.r2 ?? -Infinity) ? b : a));
  const b = best.metrics.r2 ?? NaN;
  if (!Number.isFinite(net)) return 'Train the network to compare it with the baselines.';
  if (net < b - 0.01)
    return `The ${best.label.toLowerCase()} fits better (R² ${b.toFixed(3)} vs ${net.toFixed(3)}): start there.`;
  if (net <= b + 0.02)
    return `The ${best.label.toLowerCase()} is as good (R² ${b.toFixed(3)} vs ${net.toFixed(3)}) and far simpler: a network is overkill here.`;
  return `Your network fits better than the baselines (R² ${net.toFixed(3)} vs ${b.toFixed(3)} for the ${best.label.toLowerCase()}).`;
}

/** The verdict when the network rebuilds its inputs: against PCA with as many values as its bottleneck. */
export function reconstructionVerdict(
  network: Record<string, number>,
  baselines: readonly BaselineRow[],
): string {
  const pca = baselines.find((b) => b.id === 'pca');
  const net = network.r2 ?? NaN;
  if (!Number.isFinite(net)) return 'Train the network to compare it with the baselines.';
  if (!pca || !Number.isFinite(pca.metrics.r2 ?? NaN)) return 'No baseline could be trained on this data.';
  const b = pca.metrics.r2!;
  const r2s = `R² ${net.toFixed(3)} vs ${b.toFixed(3)}`;
  const name = pca.label.replace(/^PCA, /, 'PCA with ');
  if (net > b + 0.01)
    return `Your autoencoder rebuilds the validation samples better than ${name} (${r2s}): its non-linear code keeps more in the same number of values.`;
  if (net >= b - 0.01)
    return `${name} rebuilds them as well (${r2s}): a linear code is enough at this width. A network pulls ahead with a narrower bottleneck, or convolutions for images.`;
  return `${name} rebuilds them better (${r2s}) with no training at all: train longer, or widen the layers around the bottleneck.`;
}
