/**
 * Diagnosis: what a run's curves, its layer statistics, the evaluation and the graph itself say, as
 * findings in plain words, each located (a node, an epoch) and most with a fix the user applies in
 * one click. Fixes are data, like the graph checker's: a change to the training settings, to a
 * node's parameters, or a layer inserted before a node. Pure: the CLI (`netloom evaluate --json`)
 * and the Train view's Diagnosis panel both call `diagnose`.
 */
import { checkGraph, type CheckGraph } from '../graph/check';
import type { GraphFix } from '../graph/check/types';
import { modelNodes } from '../graph/model';
import type { LayerStats } from '../inspect/layerStats';
import { ACTIVATIONS } from '../layers/define';
import { type TrainingConfig, weightDecayOf } from './config';
import type { Evaluation } from './evaluation';

export type FindingCode =
  | 'diverged'
  | 'lr-too-low'
  | 'overfitting'
  | 'underfitting'
  | 'plateau'
  | 'vanishing-gradients'
  | 'exploding-gradients'
  | 'dead-relu'
  | 'not-linearly-separable'
  | 'class-imbalance'
  | 'no-better-than-baseline'
  | 'linear-stack'
  | 'double-softmax';

export type Fix =
  | { kind: 'training'; label: string; patch: Partial<TrainingConfig> }
  | { kind: 'params'; label: string; node: string; params: Record<string, string | number | boolean> }
  | ({ kind: 'insert' } & GraphFix);

export interface Finding {
  code: FindingCode;
  severity: 'error' | 'warning' | 'info';
  message: string;
  node?: string;
  epoch?: number;
  fix?: Fix;
}

/** One epoch of a run as the diagnosis reads it (from epochEnd events, or the app's curves). */
export interface EpochPoint {
  epoch: number;
  loss?: number | undefined;
  valLoss?: number | undefined;
  accuracy?: number | undefined;
  valAccuracy?: number | undefined;
  layers?: LayerStats[] | undefined;
}

export interface DiagnosisInput {
  graph: CheckGraph;
  config: TrainingConfig;
  epochs: readonly EpochPoint[];
  /** How the run ended (absent while it goes on). */
  end?: { type: 'done' | 'diverged' | 'cancelled' | 'error'; epoch?: number } | undefined;
  evaluation?: Evaluation | undefined;
}

/** How far above its lowest the validation loss must have risen for overfitting to be reported. */
const OVERFIT_RISE = 0.15;
/** Epochs of a rise in validation loss (while training loss falls) before overfitting is reported. */
export const OVERFIT_EPOCHS = 3;
/** A ReLU layer with at least this share of dead units is reported. */
export const DEAD_FRACTION = 0.5;

const round = (v: number) => Number(v.toPrecision(2));
const pct = (v: number) => `${Math.round(v * 100)}%`;
/** Activations that bend (all but the identity; softmax only normalises an output). */
const NONLINEAR: ReadonlySet<string> = new Set(ACTIVATIONS.filter((a) => a !== 'linear' && a !== 'softmax'));

/** Everything the run, the evaluation and the graph say, most serious first. */
export function diagnose(input: DiagnosisInput): Finding[] {
  const findings = [
    ...graphFindings(input),
    ...curveFindings(input),
    ...layerFindings(input),
    ...evaluationFindings(input),
  ];
  // A model that cannot bend is the cause of its own flat loss: say that, not "more epochs".
  const cause = findings.some((f) => f.code === 'not-linearly-separable');
  const rank = { error: 0, warning: 1, info: 2 };
  return findings
    .filter((f) => !(cause && (f.code === 'underfitting' || f.code === 'plateau' || f.code === 'lr-too-low')))
    .sort((a, b) => rank[a.severity] - rank[b.severity]);
}

interface Layer {
  id: string;
  kind: string;
  /** The activation it applies (Dense/Conv `activation`, an Activation node's `fn`). */
  activation: string | undefined;
  sources: string[];
}

function layersOf(graph: CheckGraph): Layer[] {
  const report = checkGraph(graph);
  if (!report.valid) return [];
  return modelNodes(graph, report).map((n) => {
    const c = n.config as Record<string, unknown>;
    const activation =
      typeof c.activation === 'string' ? c.activation : typeof c.fn === 'string' ? c.fn : undefined;
    return { id: n.id, kind: n.kind, activation, sources: n.sources };
  });
}

/**
 * Static: Dense layers stacked with nothing non-linear between them (they collapse to one); a
 * softmax applied to what already is a softmax's output (the probabilities flatten towards uniform
 * and the loss's gradients shrink).
 */
function graphFindings({ graph }: DiagnosisInput): Finding[] {
  const layers = layersOf(graph);
  const byId = new Map(layers.map((l) => [l.id, l]));
  const out: Finding[] = [];
  for (const l of layers) {
    const src = l.sources.length === 1 ? byId.get(l.sources[0]!) : undefined;
    if (l.activation === 'softmax' && src?.activation === 'softmax')
      out.push({
        code: 'double-softmax',
        severity: 'warning',
        node: src.id,
        message:
          `${l.id} applies softmax to the output of ${src.id}, which already is one: the probabilities are ` +
          `squashed towards uniform and learning slows. Keep one softmax, at the end.`,
        fix: {
          kind: 'params',
          label: `No activation in ${src.id}`,
          node: src.id,
          params: src.kind === 'Activation' ? { fn: 'linear' } : { activation: 'linear' },
        },
      });
  }
  for (const l of layers) {
    if (l.kind !== 'Dense' || l.sources.length !== 1) continue;
    const prev = byId.get(l.sources[0]!);
    if (prev?.kind !== 'Dense' || (prev.activation ?? 'linear') !== 'linear') continue;
    out.push({
      code: 'linear-stack',
      severity: 'warning',
      node: prev.id,
      message:
        `${prev.id} has no activation and feeds ${l.id} directly: two linear layers in a row compute ` +
        `what one would (their product is one matrix). A non-linearity between them lets the network bend.`,
      fix: { kind: 'params', label: `Use ReLU in ${prev.id}`, node: prev.id, params: { activation: 'relu' } },
    });
  }
  return out;
}

const series = (epochs: readonly EpochPoint[], key: 'loss' | 'valLoss') =>
  epochs.map((e) => e[key]).filter((v): v is number => v !== undefined && Number.isFinite(v));

function curveFindings({ config, epochs, end }: DiagnosisInput): Finding[] {
  const out: Finding[] = [];
  if (end?.type === 'diverged') {
    const lr = round(config.learningRate / 10);
    out.push({
      code: 'diverged',
      severity: 'error',
      ...(end.epoch !== undefined ? { epoch: end.epoch } : {}),
      message: `Training diverged${end.epoch !== undefined ? ` in epoch ${end.epoch}` : ''}: the steps were too large for this network (learning rate ${config.learningRate}).`,
      fix: { kind: 'training', label: `Learning rate ${lr}`, patch: { learningRate: lr } },
    });
    return out;
  }
  const loss = series(epochs, 'loss');
  const val = series(epochs, 'valLoss');
  const n = loss.length;
  // Overfitting: validation loss rising for k epochs since its lowest while training loss falls,
  // by more than OVERFIT_RISE of that lowest (a few percent at a tiny loss is noise, not memorising).
  if (val.length >= OVERFIT_EPOCHS + 2 && val.length === n) {
    let best = 0;
    for (let i = 1; i < n; i++) if (val[i]! < val[best]!) best = i;
    const after = n - 1 - best;
    const gapThen = val[best]! - loss[best]!;
    const gapNow = val[n - 1]! - loss[n - 1]!;
    if (
      after >= OVERFIT_EPOCHS &&
      loss[n - 1]! < loss[best]! &&
      gapNow > gapThen &&
      val[n - 1]! > val[best]! * (1 + OVERFIT_RISE)
    ) {
      const epoch = epochs[best]!.epoch;
      out.push({
        code: 'overfitting',
        severity: 'warning',
        epoch,
        message:
          `Overfitting since epoch ${epoch}: the validation loss rose from ${val[best]!.toPrecision(3)} to ` +
          `${val[n - 1]!.toPrecision(3)} while the training loss kept falling (to ${loss[n - 1]!.toPrecision(3)}). ` +
          `The network is memorising the training rows. Stop at the best epoch, add dropout or weight decay, use a smaller network, or more data.`,
        ...(!config.earlyStopping
          ? {
              fix: {
                kind: 'training' as const,
                label: 'Early stopping (restore the best epoch)',
                patch: { earlyStopping: { patience: OVERFIT_EPOCHS, restoreBest: true } },
              },
            }
          : weightDecayOf(config) === 0
            ? { fix: { kind: 'training' as const, label: 'Weight decay 1e-4', patch: { weightDecay: 1e-4 } } }
            : {}),
      });
    }
  }
  if (n < 4 || end?.type !== 'done') return out;
  // The last quarter of the run: is the training loss still falling, and how much did it fall?
  const q = Math.max(2, Math.floor(n / 4));
  const from = n - q - 1;
  const recent = (loss[from]! - loss[n - 1]!) / Math.max(Math.abs(loss[from]!), 1e-12);
  const total = (loss[0]! - loss[n - 1]!) / Math.max(Math.abs(loss[0]!), 1e-12);
  const falling = loss.slice(from).every((v, i, a) => i === 0 || v < a[i - 1]!);
  const last = epochs[n - 1]!;
  const weak = last.accuracy !== undefined ? last.accuracy < 0.9 : total < 0.5;
  if (!weak) return out;
  if (falling && recent > 0.005) {
    // Still going down every epoch: the rate is too low for the epochs given (the slower, the lower).
    const lr = round(config.learningRate * (recent < 0.05 ? 10 : 3));
    out.push({
      code: 'lr-too-low',
      severity: 'warning',
      epoch: last.epoch,
      message:
        `The training loss was still falling at the end (${pct(recent)} over the last ${q} epochs, ` +
        `${loss[0]!.toPrecision(3)} → ${loss[n - 1]!.toPrecision(3)} in all): too slowly for ${n} epochs. ` +
        `A higher learning rate (now ${config.learningRate}) or more epochs would take it further.`,
      fix: { kind: 'training', label: `Learning rate ${lr}`, patch: { learningRate: lr } },
    });
  } else if (Math.abs(recent) < 0.02) {
    const plateau = total > 0.2;
    const stuck = epochs[from]!.epoch;
    const lr = round(config.learningRate * (plateau ? 0.3 : 3));
    out.push({
      code: plateau ? 'plateau' : 'underfitting',
      severity: 'warning',
      epoch: stuck,
      message: plateau
        ? `The training loss stopped improving after epoch ${stuck} (${loss[n - 1]!.toPrecision(3)}) although ` +
          `the network is not yet good on it: it is stuck on a plateau. A smaller learning rate often lets it settle lower.`
        : `The training loss stayed high and flat (${loss[0]!.toPrecision(3)} → ${loss[n - 1]!.toPrecision(3)}): the network ` +
          `does not fit even the rows it trains on. Give it more capacity (units, layers), a higher learning rate or more epochs.`,
      fix: { kind: 'training', label: `Learning rate ${lr}`, patch: { learningRate: lr } },
    });
  }
  return out;
}

/** From the last epoch's layer statistics: gradients that vanish or explode, dead ReLU units. */
function layerFindings({ graph, config, epochs }: DiagnosisInput): Finding[] {
  const last = [...epochs].reverse().find((e) => e.layers?.length);
  if (!last?.layers) return [];
  const out: Finding[] = [];
  const layers = new Map(layersOf(graph).map((l) => [l.id, l]));
  const weighted = last.layers.filter((s) => s.gradNorm !== null && layers.has(s.id));
  if (weighted.length >= 2) {
    const first = weighted[0]!;
    const top = weighted[weighted.length - 1]!;
    if (top.gradNorm! > 0 && first.gradNorm! < top.gradNorm! * 1e-3) {
      const act = layers.get(first.id)?.activation;
      const saturating = act === 'sigmoid' || act === 'tanh';
      out.push({
        code: 'vanishing-gradients',
        severity: 'warning',
        node: first.id,
        epoch: last.epoch,
        message:
          `Almost no gradient reaches ${first.id} (‖grad‖ ${first.gradNorm!.toExponential(1)} against ` +
          `${top.gradNorm!.toExponential(1)} at ${top.id}): the first layers barely learn.` +
          (saturating
            ? ` Its ${act} saturates; ReLU keeps gradients alive.`
            : ' Normalisation or residual connections help.'),
        ...(saturating
          ? {
              fix: {
                kind: 'params' as const,
                label: `Use ReLU in ${first.id}`,
                node: first.id,
                params: { activation: 'relu' },
              },
            }
          : {}),
      });
    }
  }
  const exploding = weighted.find((s) => s.gradNorm! > 1e3 || (s.updateRatio ?? 0) > 0.5);
  if (exploding) {
    const lr = round(config.learningRate / 10);
    // Steps that move the weights too far: a lower rate. Huge gradients whose steps stay small (an
    // adaptive optimizer scales them down) and no clipping yet: clip them.
    const clip = (exploding.updateRatio ?? 0) <= 0.5 && config.clipNorm === null;
    out.push({
      code: 'exploding-gradients',
      severity: 'warning',
      node: exploding.id,
      epoch: last.epoch,
      message:
        `The gradients at ${exploding.id} are huge (‖grad‖ ${exploding.gradNorm!.toExponential(1)}, one step changes its ` +
        `weights by ${pct(exploding.updateRatio ?? 0)}): training is close to blowing up.`,
      fix: clip
        ? { kind: 'training', label: 'Clip gradients at norm 1', patch: { clipNorm: 1 } }
        : { kind: 'training', label: `Learning rate ${lr}`, patch: { learningRate: lr } },
    });
  }
  for (const s of last.layers) {
    const l = layers.get(s.id);
    if (!l || l.activation !== 'relu' || s.deadFraction < DEAD_FRACTION) continue;
    const activation: Record<string, string> =
      l.kind === 'Activation' ? { fn: 'leakyRelu' } : { activation: 'elu' };
    out.push({
      code: 'dead-relu',
      severity: 'warning',
      node: s.id,
      epoch: last.epoch,
      message:
        `${pct(s.deadFraction)} of ${s.id}'s ReLU units output 0 for every probe sample: they are dead (no ` +
        `gradient flows through them, so they never recover). A lower learning rate or an activation without a flat side helps.`,
      fix: {
        kind: 'params',
        label: `Use ${l.kind === 'Activation' ? 'LeakyReLU' : 'ELU'} in ${s.id}`,
        node: s.id,
        params: activation,
      },
    });
  }
  return out;
}

/** From the evaluation: no better than a baseline, a model that cannot bend, a skewed class mix. */
function evaluationFindings({ graph, evaluation }: DiagnosisInput): Finding[] {
  if (!evaluation) return [];
  const out: Finding[] = [];
  const classification = evaluation.task === 'classification';
  const key = classification ? 'accuracy' : 'mae';
  const mine = evaluation.metrics[key];
  const better = (a: number, b: number) => (classification ? a > b : a < b);
  const rivals = evaluation.baselines.filter((b) => b.id !== 'majority' && b.metrics[key] !== undefined);
  const best = rivals.sort((a, b) => (better(a.metrics[key]!, b.metrics[key]!) ? -1 : 1))[0];
  if (mine !== undefined && best && !better(mine, best.metrics[key]!)) {
    out.push({
      code: 'no-better-than-baseline',
      severity: 'info',
      message:
        `The network (${key} ${mine.toPrecision(3)}) does no better than ${best.label} (${best.metrics[key]!.toPrecision(3)}) ` +
        `on the same rows: on this data the simpler model is the better choice, or the network needs more work.`,
    });
  }
  if (classification && evaluation.confusion) {
    const totals = evaluation.confusion.map((row) => row.reduce((a, b) => a + b, 0));
    const all = totals.reduce((a, b) => a + b, 0);
    const top = Math.max(...totals);
    if (all > 0 && top / all >= 0.8 && totals.length > 1) {
      const cls = evaluation.classes?.[totals.indexOf(top)] ?? String(totals.indexOf(top));
      out.push({
        code: 'class-imbalance',
        severity: 'info',
        message:
          `${pct(top / all)} of the validation rows are "${cls}": a model that always answers "${cls}" scores ` +
          `${pct(top / all)} accuracy. Read the per-class recall and the confusion matrix rather than accuracy alone.`,
      });
    }
  }
  // No hidden non-linearity, and a baseline that can bend (the forest) does clearly better.
  const layers = layersOf(graph);
  const hidden = layers.filter((l) => l.kind === 'Dense' || l.kind === 'Activation');
  const output = hidden[hidden.length - 1];
  const firstDense = layers.find((l) => l.kind === 'Dense');
  const bends =
    hidden.slice(0, -1).some((l) => NONLINEAR.has(l.activation ?? 'linear')) ||
    layers.some((l) => /Conv|LSTM|GRU|RNN|Attention|Transformer/.test(l.kind));
  const forest = evaluation.baselines.find((b) => b.id === 'random-forest')?.metrics.accuracy;
  if (
    classification &&
    output &&
    firstDense &&
    !bends &&
    mine !== undefined &&
    forest !== undefined &&
    forest > mine + 0.1
  ) {
    out.push({
      code: 'not-linearly-separable',
      severity: 'warning',
      node: firstDense.id,
      message:
        `This network has no hidden non-linearity: it can only draw straight boundaries, and the data needs ` +
        `curved ones (the random forest reaches ${forest.toPrecision(3)}, the network ${mine.toPrecision(3)}). ` +
        `A single layer cannot separate this; add a hidden layer with a non-linear activation.`,
      fix: {
        kind: 'insert',
        label: 'Insert a hidden Dense layer (16 units, ReLU)',
        insert: { kind: 'Dense', params: { units: 16, activation: 'relu' } },
        before: { nodeId: firstDense.id, port: 'in' },
      },
    });
  }
  return out;
}
