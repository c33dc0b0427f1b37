/**
 * The head of a network: what feeds an Output. One set of rules, read by the checker
 * (`shared/graph/check`), the engine's compiler (`electron/engine/compile`) and the exporters
 * (`electron/export/plan`): the activation a prediction ends with, the loss it trains with, and
 * what the checker says when the two do not fit.
 */
import { flatGraph } from './blocks';
import { isLayerKind, type LayerKind, layerSpec } from '../layers/index';
import type { LossName } from '../layers/output';
import { resolveParams } from '../layers/params';
import type { Task } from '../training/data';
import type { CheckGraph } from './check/types';

/**
 * What a layer's output says about the activation it ends with:
 * - `fn`: an Activation layer; its `fn` is applied last.
 * - `own`: the layer's own `activation` parameter. Dense and the convolutions (transposed too) apply
 *   it last, SimpleRNN to its new state. LSTM and GRU apply it to the cell and the candidate, and
 *   output a gated scaling (LSTM) or a gated mix with the previous state (GRU) of it, so their output
 *   stays in its range: a sigmoid recurrent layer gives values in (0, 1), what binary cross-entropy
 *   needs. (A softmax recurrent layer's outputs are not normalised; it is taken as softmax all the
 *   same, as the engine always has.)
 * - `pass`: the values of its input go through: Dropout masks them, Flatten and Reshape move them.
 * - `none`: it ends linear. TransformerEncoderBlock's `activation` is inside its feed-forward block,
 *   before a residual sum and a normalisation; attention's softmax weighs the values, it is not
 *   applied to the output; pooling, normalisation, embeddings and merges have no activation.
 */
type HeadRole = 'fn' | 'own' | 'pass' | 'none';

const HEAD_ROLES: { readonly [K in LayerKind]: HeadRole } = {
  Input: 'none',
  Dense: 'own',
  Activation: 'fn',
  Dropout: 'pass',
  Flatten: 'pass',
  Reshape: 'pass',
  Embedding: 'none',
  Conv1D: 'own',
  Conv2D: 'own',
  Conv2DTranspose: 'own',
  MaxPool1D: 'none',
  MaxPool2D: 'none',
  AvgPool1D: 'none',
  AvgPool2D: 'none',
  GlobalAvgPool1D: 'none',
  GlobalAvgPool2D: 'none',
  GlobalMaxPool1D: 'none',
  GlobalMaxPool2D: 'none',
  BatchNormalization: 'none',
  LayerNormalization: 'none',
  SimpleRNN: 'own',
  LSTM: 'own',
  GRU: 'own',
  MultiHeadAttention: 'none',
  TransformerEncoderBlock: 'none',
  PositionalEmbedding: 'none',
  Add: 'none',
  Concatenate: 'none',
  Multiply: 'none',
  Output: 'none',
};

/** A node as the walk reads it: its kind and its resolved parameters (undefined when invalid). */
export interface HeadNode {
  readonly kind: string;
  readonly config: Readonly<Record<string, unknown>> | undefined;
}

/** Longest walk back through pass-through layers (a cycle of them must not hang the walk). */
const MAX_WALK = 10_000;

const name = (v: unknown) => (typeof v === 'string' ? v : 'linear');

/**
 * The activation that produces the tensor of node `start`, looking back through pass-through layers
 * (Dropout, Flatten, Reshape); `linear` when it has none or a node on the way is unknown or invalid.
 * Each caller passes its own view of the graph: how to read a node and its (single) source.
 */
export function finalActivation<Ref>(
  start: Ref | undefined,
  nodeAt: (ref: Ref) => HeadNode | undefined,
  sourceOf: (ref: Ref) => Ref | undefined,
): string {
  let cur = start;
  for (let step = 0; cur !== undefined && step < MAX_WALK; step++) {
    const node = nodeAt(cur);
    if (!node?.config || !isLayerKind(node.kind)) return 'linear';
    const role = HEAD_ROLES[node.kind];
    if (role === 'fn') return name(node.config.fn);
    if (role === 'own') return name(node.config.activation);
    if (role === 'none') return 'linear';
    cur = sourceOf(cur);
  }
  return 'linear';
}

/** `finalActivation` on a plain graph: parameters resolved with their defaults, sources by port `in`. */
export function finalActivationIn(whole: CheckGraph, id: string): string {
  const graph = flatGraph(whole);
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  return finalActivation(
    id,
    (ref) => {
      const n = byId.get(ref);
      if (!n) return undefined;
      const res = isLayerKind(n.kind) ? resolveParams(layerSpec(n.kind), n.params) : undefined;
      return { kind: n.kind, config: res?.ok ? res.config : undefined };
    },
    (ref) => graph.edges.find((e) => e.target === ref && e.targetPort === 'in')?.source,
  );
}

// ---------------------------------------------------------------------------------------------
// The loss
// ---------------------------------------------------------------------------------------------

/** A loss itself (`auto` resolved). */
export type LossKind = Exclude<LossName, 'auto'>;
export type Problem = 'classification' | 'regression';

/** What is known about the targets of the data. */
export interface TargetInfo {
  task: Task;
  /** Classification: number of classes. */
  numClasses?: number | undefined;
  /** Values per target (regression), 1 for class indices. */
  targetSize: number;
  /** Classification targets given as one class index per sample (ArrayDataset's form). */
  classIndices: boolean;
  classes?: string[] | undefined;
}

/** One Output as the loss rules see it. */
export interface OutputHead {
  outputNode: string;
  /** `finalActivation` of the node feeding it. */
  activation: string;
  /** Size of the prediction's last axis. */
  units: number;
  /** Values per sample of the prediction (the product of its shape); `units` when not given. */
  values?: number;
  /** The Output node's own `loss` parameter. */
  nodeLoss: string;
}

/** The loss chosen, or why the data does not fit the head (a message naming the Output node). */
export type LossDecision = { loss: LossKind; problem: Problem } | { mismatch: string };

/** The loss named by the training config or, when that is `auto`, by the Output node. */
function explicitLoss(configLoss: string, nodeLoss: string): LossKind | undefined {
  const named = configLoss !== 'auto' ? configLoss : nodeLoss;
  return named === 'auto' ? undefined : (named as LossKind);
}

const problemOf = (loss: LossKind): Problem =>
  loss === 'meanSquaredError' || loss === 'meanAbsoluteError' ? 'regression' : 'classification';

const where = (h: OutputHead) => `Output node "${h.outputNode}"`;

/**
 * The loss of one output: the training config's if set, else the Output node's, else chosen from the
 * final activation and the targets (softmax -> categorical or sparse categorical cross-entropy,
 * sigmoid -> binary cross-entropy, otherwise mean squared error). With `target`, checks it against
 * the data; without, there is nothing to mismatch.
 */
export function decideLoss(head: OutputHead, configLoss: string): { loss: LossKind; problem: Problem };
export function decideLoss(
  head: OutputHead,
  configLoss: string,
  target: TargetInfo | undefined,
): LossDecision;
export function decideLoss(head: OutputHead, configLoss: string, target?: TargetInfo): LossDecision {
  let loss = explicitLoss(configLoss, head.nodeLoss);
  if (!loss) {
    if (head.activation === 'softmax')
      loss = target?.classIndices === false ? 'categoricalCrossentropy' : 'sparseCategoricalCrossentropy';
    else if (head.activation === 'sigmoid') loss = 'binaryCrossentropy';
    else if (target?.task === 'classification')
      return {
        mismatch:
          `${where(head)}: the data is classification (${target.numClasses ?? '?'} classes) but the network ends ` +
          `with a "${head.activation}" activation. End with a softmax (one unit per class) or, for two ` +
          `classes, a single sigmoid unit.`,
      };
    else loss = 'meanSquaredError';
  }
  // A class index is the compact form of a one-hot target: the same loss, computed without the one-hot.
  if (loss === 'categoricalCrossentropy' && target?.classIndices) loss = 'sparseCategoricalCrossentropy';
  const problem = problemOf(loss);
  const mismatch = target && dataMismatch(head, loss, target);
  return mismatch ? { mismatch } : { loss, problem };
}

/** Why the data's targets do not fit the head and its loss, or undefined. */
function dataMismatch(head: OutputHead, loss: LossKind, target: TargetInfo): string | undefined {
  const problem = problemOf(loss);
  if (target.task === 'regression') {
    if (problem === 'classification')
      return (
        `${where(head)}: ${loss} needs class targets, but the data's target is a number (regression). ` +
        `Use a linear output with mean squared error.`
      );
    const values = head.values ?? head.units;
    if (values !== target.targetSize)
      return (
        `${where(head)}: the network predicts ${values} value(s) per sample but the data has ` +
        `${target.targetSize} target value(s).`
      );
    return undefined;
  }
  const k = target.numClasses ?? 0;
  const names = target.classes?.length ? ` (${target.classes.slice(0, 10).join(', ')})` : '';
  if (problem === 'regression')
    return `${where(head)}: ${loss} is a regression loss but the data has ${k} classes${names}; use cross-entropy.`;
  if (loss === 'binaryCrossentropy') {
    if (head.units === 1 && k > 2)
      return (
        `${where(head)}: a single sigmoid unit answers yes/no, but the target has ${k} classes${names}. ` +
        `Use a Dense layer with ${k} units and a softmax activation.`
      );
    if (head.units !== 1 && head.units !== k)
      return `${where(head)}: ${head.units} sigmoid units do not match the ${k} classes${names} of the data.`;
    return undefined;
  }
  if (head.units !== k)
    return (
      `${where(head)}: the network predicts ${head.units} classes but the data has ${k}${names}. ` +
      `Set the last Dense layer to ${k} units (and the Output's target shape to ${k}).`
    );
  return undefined;
}

/** What the checker says about an Output whose loss and final activation do not fit. */
export interface HeadIssue {
  severity: 'error' | 'warning';
  message: string;
}

/**
 * The Output node's own loss against its final activation and target shape, before any data: a
 * softmax over one unit (always 1: an error), or a cross-entropy without the activation it expects.
 */
export function headIssue(
  nodeLoss: string,
  activation: string,
  targetShape: readonly (number | null)[],
): HeadIssue | undefined {
  const units = targetShape.length === 1 ? targetShape[0] : undefined;
  if (activation === 'softmax' && units === 1)
    return {
      severity: 'error',
      message: `Softmax over a single unit always outputs 1, so the network cannot learn. For a yes/no target use a sigmoid activation (binary cross-entropy); for several classes set the target shape to the number of classes.`,
    };
  if (nodeLoss === 'binaryCrossentropy' && activation !== 'sigmoid')
    return {
      severity: 'warning',
      message: `Binary cross-entropy expects probabilities from a sigmoid; the last activation here is ${activation}.`,
    };
  if (
    (nodeLoss === 'categoricalCrossentropy' || nodeLoss === 'sparseCategoricalCrossentropy') &&
    activation !== 'softmax'
  )
    return {
      severity: 'warning',
      message: `Categorical cross-entropy expects probabilities from a softmax; the last activation here is ${activation}. Add an Activation (softmax) before the Output.`,
    };
  return undefined;
}
