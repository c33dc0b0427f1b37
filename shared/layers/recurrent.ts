/**
 * Shared logic of the recurrent layers (SimpleRNN, LSTM, GRU). Not a layer kind itself: each kind
 * has its own file and declares its parameters there; this module holds the sequence-input check,
 * the output shape, the weight layout (as tfjs-layers 4.22 builds it), FLOPs and the Keras JSON.
 */
import type { ActivationName, FixInsert, InputShapes, KerasLayer, WeightShapes } from './define';
import { fail, fixedDim, only, p } from './define';
import { formatShape, type Dim, type Shape } from './shape';

/** What the shared helpers need from a recurrent layer's configuration. */
export interface RecurrentConfig {
  readonly units: number;
  readonly returnSequences: boolean;
  readonly bidirectional: boolean;
  readonly dropout: number;
  readonly recurrentDropout: number;
  readonly activation?: ActivationName;
}

/** The parameters every recurrent layer has besides `units` and `activation`. */
export const recurrentParams = {
  returnSequences: p.bool({
    default: false,
    help: 'Output the hidden state at every time step (to stack another recurrent layer) instead of only the last.',
  }),
  bidirectional: p.bool({
    default: false,
    help: 'Also read the sequence backwards with a second copy; the two outputs are concatenated (2 × units).',
  }),
  dropout: p.float({
    default: 0,
    min: 0,
    max: 1,
    exclusiveMax: true,
    help: 'Fraction of the inputs dropped at each step during training (0 = none).',
  }),
  recurrentDropout: p.float({
    default: 0,
    min: 0,
    max: 1,
    exclusiveMax: true,
    help: 'Fraction of the hidden state dropped at each step during training (0 = none).',
  }),
} as const;

/** The gate activations of LSTM and GRU: Keras 3's and PyTorch's sigmoid, or TF.js's default. */
const RECURRENT_ACTIVATIONS = ['sigmoid', 'hardSigmoid'] as const;
type RecurrentActivation = (typeof RECURRENT_ACTIVATIONS)[number];

/** The `recurrentActivation` parameter of LSTM and GRU (SimpleRNN has no gates). */
export const recurrentActivationParam = p.enum(RECURRENT_ACTIVATIONS, {
  default: 'sigmoid',
  help:
    'Applied to the gates. Hard sigmoid, clip(0.2·x + 0.5, 0, 1), is a cheaper approximation of the ' +
    'sigmoid and TF.js’s default for LSTM and GRU (needed to match a model from TF.js); sigmoid is ' +
    'Keras 3’s and PyTorch’s.',
});

/** FLOPs per element of a gate activation: sigmoid as activationFlops, hard sigmoid a multiply-add and a clip. */
export const gateActivationFlops = (a: RecurrentActivation): number => (a === 'hardSigmoid' ? 3 : 4);

/** The Keras (tfjs-layers) name of a gate activation. */
export const kerasRecurrentActivation = (a: RecurrentActivation): string =>
  a === 'hardSigmoid' ? 'hard_sigmoid' : 'sigmoid';

/**
 * A sequence input `[batch, time, features]`: returns the time axis (possibly symbolic) and the fixed
 * number of features, or fails with a located message and, when one fits, a fix to insert.
 */
export function sequenceInput(
  x: Shape,
  layer: string,
  port = 'in',
  tokenLayer = 'an Embedding',
): { time: Dim; features: number } {
  if (x.length === 3) {
    const time = x[1] as Dim;
    return { time, features: fixedDim(x[2], `The feature axis (last) of ${layer}'s input`, port) };
  }
  if (x.length === 2) {
    const n = x[1];
    const fix: FixInsert | undefined =
      typeof n === 'number' ? { kind: 'Reshape', params: { targetShape: [n, 1] } } : undefined;
    return fail(
      `${layer} needs a sequence [batch, time, features]; got ${formatShape(x)}. ` +
        (typeof n === 'number'
          ? `Reshape to [${n}, 1] to read the ${n} values one per time step, or, if they are token ids, ` +
            `add ${tokenLayer} in front.`
          : `If these are token ids, add ${tokenLayer} in front.`),
      { port, ...(fix ? { fix } : {}) },
    );
  }
  if (x.length > 3) {
    const rest = x.slice(2);
    const fixed = rest.every((d): d is number => typeof d === 'number');
    const width = fixed ? rest.reduce<number>((a, d) => a * (d as number), 1) : undefined;
    const t = x[1];
    const fix: FixInsert | undefined =
      width !== undefined && typeof t === 'number'
        ? { kind: 'Reshape', params: { targetShape: [t, width] } }
        : undefined;
    return fail(
      `${layer} needs a sequence [batch, time, features]; got ${formatShape(x)}, which has ${x.length - 1} axes ` +
        `per sample.` +
        (fix ? ` Reshape to [${String(t)}, ${width}] to read it row by row as a sequence.` : ''),
      { port, ...(fix ? { fix } : {}) },
    );
  }
  return fail(`${layer} needs a sequence [batch, time, features]; got ${formatShape(x)}.`, { port });
}

export function recurrentOutputShape(inputs: InputShapes, c: RecurrentConfig, layer: string): Shape {
  const x = only(inputs);
  const { time } = sequenceInput(x, layer);
  const width = c.bidirectional ? 2 * c.units : c.units;
  const batch = x[0] as Dim;
  return c.returnSequences ? [batch, time, width] : [batch, width];
}

/**
 * Weights as tfjs-layers builds them: `gates` blocks side by side (1 SimpleRNN, 3 GRU, 4 LSTM) in
 * kernel [in, g·u], recurrent_kernel [u, g·u] and bias [g·u]; a bidirectional layer has a forward_
 * and a backward_ copy. `splitBias` (a GRU with reset after) makes the bias [2, g·u], as Keras: row
 * 0 the input bias, row 1 the recurrent one.
 */
export function recurrentWeights(
  inputs: InputShapes,
  c: RecurrentConfig,
  gates: number,
  splitBias = false,
): WeightShapes {
  const n = fixedDim(only(inputs)[2], 'The feature axis');
  const one = {
    kernel: [n, gates * c.units],
    recurrent_kernel: [c.units, gates * c.units],
    bias: splitBias ? [2, gates * c.units] : [gates * c.units],
  };
  if (!c.bidirectional) return one;
  const out: Record<string, readonly number[]> = {};
  for (const dir of ['forward', 'backward']) for (const [k, v] of Object.entries(one)) out[`${dir}_${k}`] = v;
  return out;
}

/**
 * FLOPs per sample: `perStep(features)` for one direction and one time step, times the number of
 * steps (a variable length counts as one step, the cost per step) and directions.
 */
export function recurrentFlops(
  inputs: InputShapes,
  c: RecurrentConfig,
  perStep: (features: number, units: number) => number,
): number {
  const x = only(inputs);
  const t = typeof x[1] === 'number' ? x[1] : 1;
  const n = typeof x[2] === 'number' ? x[2] : 0;
  return t * (c.bidirectional ? 2 : 1) * perStep(n, c.units);
}

/** One step of `gates` gate blocks: the two matrix products plus bias. */
export function gateFlops(n: number, u: number, gates: number): number {
  return 2 * (n + u) * gates * u + gates * u;
}

/**
 * The name of the layer a Bidirectional wraps. Fixed, so the weights it makes are named
 * `<node>/forward_<name>/<weight>` in any process (without it, TF.js numbers the inner layer with a
 * per-process counter, and an exported model.json did not load in a fresh process).
 */
export const bidirectionalInnerName = (className: string) => className.toLowerCase();

/** The Keras JSON, wrapped in `Bidirectional` (merge_mode concat) when asked. */
export function recurrentKeras(
  className: 'SimpleRNN' | 'LSTM' | 'GRU',
  c: RecurrentConfig,
  extra: KerasLayer['config'] = {},
): KerasLayer {
  const layer: KerasLayer = {
    class_name: className,
    config: {
      units: c.units,
      ...(c.activation ? { activation: c.activation } : {}),
      ...extra,
      use_bias: true,
      return_sequences: c.returnSequences,
      dropout: c.dropout,
      recurrent_dropout: c.recurrentDropout,
    },
  };
  if (!c.bidirectional) return layer;
  const inner = { ...layer, config: { ...layer.config, name: bidirectionalInnerName(className) } };
  return { class_name: 'Bidirectional', config: { layer: inner, merge_mode: 'concat' } };
}
