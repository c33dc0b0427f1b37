/**
 * Keras layer classes (as TF.js layers models name them) -> the catalog's kinds and params. The
 * inverse of each layer's `keras()` in `shared/layers/`, for the configurations that mean the same
 * thing in Netloom; anything else is `unsupported` with the reason, so the importer can list it.
 */
import { ACTIVATIONS, type ActivationName, FUSED_ACTIVATIONS } from '../../shared/layers/define';
import type { LayerKind } from '../../shared/layers/index';
import type { ParamValue } from '../../shared/ir/schema';

export type KerasConfig = Record<string, unknown>;

export type LayerMapping = Mapped | { unsupported: string };

/** A mapped layer; `axis` (when set) must be its input's last axis, checked once ranks are known. */
interface Mapped {
  kind: LayerKind;
  params: Record<string, ParamValue>;
  axis?: number;
}

/** A config setting that cannot be imported; caught per layer and reported with the others. */
class Refusal extends Error {}
const refuse = (why: string): never => {
  throw new Refusal(why);
};

/** Unset in the config (Keras writes null for an unset option). */
const absent = (v: unknown) => v === null || v === undefined;

const num = (c: KerasConfig, key: string, dflt?: number): number => {
  const v = c[key] ?? dflt;
  if (typeof v !== 'number' || !Number.isFinite(v)) return refuse(`${key} is not a number`);
  return v;
};
const bool = (c: KerasConfig, key: string, dflt: boolean): boolean => {
  const v = c[key] ?? dflt;
  if (typeof v !== 'boolean') return refuse(`${key} is not true/false`);
  return v;
};
/** An int, or a tuple of `n` ints (Keras accepts both for kernel sizes and strides). */
const ints = (c: KerasConfig, key: string, n: number, dflt?: number | number[]): number[] => {
  const v = c[key] ?? dflt;
  const list = typeof v === 'number' ? Array<number>(n).fill(v) : v;
  if (!Array.isArray(list) || list.length !== n || !list.every((d) => Number.isInteger(d) && d >= 1))
    return refuse(`${key} is not ${n} positive whole number${n > 1 ? 's' : ''}`);
  return list as number[];
};

const KERAS_ACTIVATION: Readonly<Record<string, ActivationName>> = {
  ...Object.fromEntries(ACTIVATIONS.map((a) => [a, a])),
  leaky_relu: 'leakyRelu',
  silu: 'swish',
};

/** A Keras activation identifier in the catalog's names. */
function activation(c: KerasConfig, key = 'activation', fused = true): ActivationName {
  const raw = c[key] ?? 'linear';
  const name =
    typeof raw === 'string' && Object.hasOwn(KERAS_ACTIVATION, raw) ? KERAS_ACTIVATION[raw] : undefined;
  if (!name || (fused && !(FUSED_ACTIVATIONS as readonly string[]).includes(name)))
    return refuse(`the activation ${JSON.stringify(raw)} has no counterpart in Netloom`);
  return name;
}

function padding(c: KerasConfig): 'valid' | 'same' {
  const p = c.padding ?? 'valid';
  if (p !== 'valid' && p !== 'same') return refuse(`padding ${JSON.stringify(p)} (only valid and same)`);
  return p;
}

function channelsLast(c: KerasConfig): void {
  const f = c.data_format ?? 'channels_last';
  if (f !== 'channels_last') refuse(`data_format ${JSON.stringify(f)} (Netloom is channels last)`);
}

function conv(kind: 'Conv1D' | 'Conv2D', n: number) {
  return (c: KerasConfig) => {
    channelsLast(c);
    if ((c.groups ?? 1) !== 1) refuse('grouped convolution');
    return {
      kind,
      params: {
        filters: num(c, 'filters'),
        kernelSize: ints(c, 'kernel_size', n),
        strides: ints(c, 'strides', n, 1),
        padding: padding(c),
        dilationRate: ints(c, 'dilation_rate', n, 1),
        activation: activation(c),
        useBias: bool(c, 'use_bias', true),
      },
    };
  };
}

function pool(kind: LayerKind, n: number) {
  return (c: KerasConfig) => {
    channelsLast(c);
    const size = ints(c, 'pool_size', n, 2);
    return {
      kind,
      params: {
        poolSize: size,
        strides: absent(c.strides) ? size : ints(c, 'strides', n),
        padding: padding(c),
      },
    };
  };
}

function globalPool(kind: LayerKind) {
  return (c: KerasConfig) => {
    channelsLast(c);
    if (c.keepdims === true) refuse('keepdims');
    return { kind, params: {} };
  };
}

/** The axis a normalisation or softmax acts on: one whole number (the last axis, checked later). */
function lastAxis(c: KerasConfig): number {
  const axis: unknown = Array.isArray(c.axis) && c.axis.length === 1 ? c.axis[0] : (c.axis ?? -1);
  if (!Number.isInteger(axis)) return refuse(`axis ${JSON.stringify(c.axis)} (only the last axis)`);
  return axis as number;
}

function recurrent(kind: 'LSTM' | 'GRU' | 'SimpleRNN', c: KerasConfig, bidirectional: boolean) {
  if (c.go_backwards === true) refuse('go_backwards');
  if (c.stateful === true) refuse('stateful');
  if (c.use_bias === false) refuse('use_bias false');
  if (c.return_state === true) refuse('return_state');
  // The gates' activation: tfjs-layers writes hard_sigmoid, its default for LSTM and GRU.
  const gate = c.recurrent_activation ?? 'sigmoid';
  if (kind !== 'SimpleRNN' && gate !== 'sigmoid' && gate !== 'hard_sigmoid')
    refuse(`recurrent_activation ${JSON.stringify(c.recurrent_activation)} (only sigmoid or hard_sigmoid)`);
  if (kind === 'LSTM' && c.unit_forget_bias === false) {
    // Only an initialiser: the trained bias is what counts.
  }
  return {
    kind,
    params: {
      units: num(c, 'units'),
      activation: activation(c, 'activation'),
      returnSequences: bool(c, 'return_sequences', false),
      bidirectional,
      dropout: num(c, 'dropout', 0),
      recurrentDropout: num(c, 'recurrent_dropout', 0),
      ...(kind !== 'SimpleRNN'
        ? { recurrentActivation: gate === 'hard_sigmoid' ? 'hardSigmoid' : 'sigmoid' }
        : {}),
      ...(kind === 'GRU' ? { resetAfter: bool(c, 'reset_after', false) } : {}),
    },
  };
}

type Mapper = (c: KerasConfig) => Mapped;

const MAPPERS: Readonly<Record<string, Mapper>> = {
  Dense: (c) => ({
    kind: 'Dense',
    params: { units: num(c, 'units'), activation: activation(c), useBias: bool(c, 'use_bias', true) },
  }),
  Activation: (c) => ({ kind: 'Activation', params: { fn: activation(c, 'activation', false) } }),
  ReLU: (c) => {
    if (!absent(c.max_value) || (c.negative_slope ?? 0) !== 0 || (c.threshold ?? 0) !== 0)
      refuse('ReLU with max_value, negative_slope or threshold');
    return { kind: 'Activation', params: { fn: 'relu' } };
  },
  LeakyReLU: (c) => ({
    kind: 'Activation',
    params: {
      fn: 'leakyRelu',
      alpha: num(c, 'alpha', typeof c.negative_slope === 'number' ? c.negative_slope : 0.3),
    },
  }),
  ELU: (c) => {
    if (num(c, 'alpha', 1) !== 1) refuse('ELU with alpha other than 1');
    return { kind: 'Activation', params: { fn: 'elu' } };
  },
  Softmax: (c) => ({ kind: 'Activation', params: { fn: 'softmax' }, axis: lastAxis(c) }),
  Dropout: (c) => {
    if (!absent(c.noise_shape)) refuse('noise_shape');
    return { kind: 'Dropout', params: { rate: num(c, 'rate') } };
  },
  Flatten: (c) => {
    channelsLast(c);
    return { kind: 'Flatten', params: {} };
  },
  Reshape: (c) => {
    const t = c.target_shape;
    if (
      !Array.isArray(t) ||
      t.length < 1 ||
      t.length > 4 ||
      !t.every((d) => Number.isInteger(d) && (d >= 1 || d === -1))
    )
      return refuse('target_shape is not a list of sizes');
    return { kind: 'Reshape', params: { targetShape: t as number[] } };
  },
  Embedding: (c) => {
    if (c.mask_zero === true) refuse('mask_zero');
    return { kind: 'Embedding', params: { inputDim: num(c, 'input_dim'), outputDim: num(c, 'output_dim') } };
  },
  Conv1D: conv('Conv1D', 1),
  Conv2D: conv('Conv2D', 2),
  Conv2DTranspose: (c) => {
    channelsLast(c);
    if (!absent(c.output_padding)) refuse('output_padding');
    if (ints(c, 'dilation_rate', 2, 1).some((d) => d !== 1)) refuse('dilation');
    return {
      kind: 'Conv2DTranspose',
      params: {
        filters: num(c, 'filters'),
        kernelSize: ints(c, 'kernel_size', 2),
        strides: ints(c, 'strides', 2, 1),
        padding: padding(c),
        activation: activation(c),
        useBias: bool(c, 'use_bias', true),
      },
    };
  },
  MaxPooling1D: pool('MaxPool1D', 1),
  MaxPooling2D: pool('MaxPool2D', 2),
  AveragePooling1D: pool('AvgPool1D', 1),
  AveragePooling2D: pool('AvgPool2D', 2),
  GlobalAveragePooling1D: globalPool('GlobalAvgPool1D'),
  GlobalAveragePooling2D: globalPool('GlobalAvgPool2D'),
  GlobalMaxPooling1D: globalPool('GlobalMaxPool1D'),
  GlobalMaxPooling2D: globalPool('GlobalMaxPool2D'),
  BatchNormalization: (c) => {
    return {
      axis: lastAxis(c),
      kind: 'BatchNormalization',
      params: {
        momentum: num(c, 'momentum', 0.99),
        epsilon: num(c, 'epsilon', 0.001),
        center: bool(c, 'center', true),
        scale: bool(c, 'scale', true),
      },
    };
  },
  LayerNormalization: (c) => {
    return {
      axis: lastAxis(c),
      kind: 'LayerNormalization',
      params: {
        epsilon: num(c, 'epsilon', 0.001),
        center: bool(c, 'center', true),
        scale: bool(c, 'scale', true),
      },
    };
  },
  LSTM: (c) => recurrent('LSTM', c, false),
  GRU: (c) => recurrent('GRU', c, false),
  SimpleRNN: (c) => recurrent('SimpleRNN', c, false),
  Bidirectional: (c) => {
    if ((c.merge_mode ?? 'concat') !== 'concat')
      refuse(`merge_mode ${JSON.stringify(c.merge_mode)} (only concat)`);
    const inner = c.layer as { class_name?: unknown; config?: unknown } | undefined;
    const cls = inner?.class_name;
    if (cls !== 'LSTM' && cls !== 'GRU' && cls !== 'SimpleRNN')
      return refuse(`a Bidirectional ${String(cls)}`);
    if (!absent(c.backward_layer)) refuse('a separate backward_layer');
    return recurrent(cls, (inner?.config ?? {}) as KerasConfig, true);
  },
  Add: () => ({ kind: 'Add', params: {} }),
  Multiply: () => ({ kind: 'Multiply', params: {} }),
  Concatenate: (c) => ({ kind: 'Concatenate', params: { axis: num(c, 'axis', -1) } }),
  // Netloom's GRU with reset after, as the engine's TF.js class (Keras names it GRU, reset_after=True).
  NetloomGRU: (c) => recurrent('GRU', { ...c, reset_after: true }, bool(c, 'bidirectional', false)),
  NetloomMultiHeadAttention: (c) => ({
    kind: 'MultiHeadAttention',
    params: {
      numHeads: num(c, 'num_heads'),
      keyDim: num(c, 'key_dim'),
      valueDim: num(c, 'value_dim', num(c, 'key_dim')),
      dropout: num(c, 'dropout', 0),
      useBias: bool(c, 'use_bias', true),
      causal: bool(c, 'causal', false),
    },
  }),
  NetloomPositionalEmbedding: (c) => ({
    kind: 'PositionalEmbedding',
    params: {
      vocabSize: num(c, 'vocab_size'),
      maxLength: num(c, 'max_length'),
      embedDim: num(c, 'embed_dim'),
    },
  }),
  NetloomTransformerEncoderBlock: (c) => {
    const act = c.activation ?? 'relu';
    if (act !== 'relu' && act !== 'gelu') refuse(`activation ${JSON.stringify(act)}`);
    return {
      kind: 'TransformerEncoderBlock',
      params: {
        numHeads: num(c, 'num_heads'),
        keyDim: num(c, 'key_dim'),
        ffDim: num(c, 'ff_dim'),
        dropout: num(c, 'dropout', 0),
        norm: bool(c, 'normalize_first', false) ? 'pre' : 'post',
        activation: act as string,
      },
    };
  },
};

/** The catalog kind and params of one Keras layer (class and config); `unsupported` says why not. */
export function mapKerasLayer(className: string, config: KerasConfig): LayerMapping {
  const mapper = Object.hasOwn(MAPPERS, className) ? MAPPERS[className] : undefined;
  if (!mapper) return { unsupported: className };
  try {
    return mapper(config);
  } catch (err) {
    if (err instanceof Refusal) return { unsupported: `${className} (${err.message})` };
    throw err;
  }
}
