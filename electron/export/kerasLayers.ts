/**
 * Every layer as Keras 3 Python, for the Keras export's model.py: the constructor from the layer
 * spec's Keras JSON (tfjs-layers names, a few renamed for Keras 3), and Netloom's custom kinds as
 * small `keras.layers.Layer` subclasses with the engine's exact maths (or Keras's own layer).
 */
import {
  type ConfigOf,
  type JsonValue,
  type KerasLayer,
  layerSpec,
  type ParamSpecs,
} from '../../shared/layers/index';
import type { CustomLayerClassName } from '../engine/layers/classes';
import { type PlanNode, pyBool, pyNum, pyShape, pyStr } from './plan';

/** A Keras 3 Python class where it differs from the tfjs-layers JSON of the layer spec. */
interface Keras3Class {
  /** The Python class (default `layers.<class_name>`). */
  cls?: string;
  /** The constructor's keyword arguments from the JSON config (default: the config as it is). */
  args?: (config: KerasConfig) => KerasConfig;
  /** How the layer is applied (default `layer(x)` / `layer([a, b])`). */
  call?: (layer: string, args: readonly string[], config: KerasConfig) => string;
  /** The class's Python source, written into model.py when the graph uses it. */
  code?: string;
  /** Keras's own layer JSON for a custom class Keras 3 has built in, written as that layer. */
  builtin?: (config: KerasConfig) => KerasLayer;
}

type KerasConfig = KerasLayer['config'];

const POSITIONAL_EMBEDDING_PY = `
@keras.saving.register_keras_serializable(package='netloom')
class PositionalEmbedding(layers.Layer):
    """Token ids [batch, time] -> token vector + learned position vector (Netloom's PositionalEmbedding)."""

    def __init__(self, vocab_size, max_length, embed_dim, **kwargs):
        super().__init__(**kwargs)
        self.vocab_size, self.max_length, self.embed_dim = vocab_size, max_length, embed_dim
        self.token_embeddings = layers.Embedding(vocab_size, embed_dim,
                                                 embeddings_initializer=keras.initializers.RandomUniform(-0.05, 0.05))
        self.position_embeddings = layers.Embedding(max_length, embed_dim, embeddings_initializer='glorot_uniform')

    def call(self, ids):
        length = ops.shape(ids)[1]
        return self.token_embeddings(ids) + self.position_embeddings(ops.arange(length))[None]

    def get_config(self):
        return {**super().get_config(), 'vocab_size': self.vocab_size, 'max_length': self.max_length,
                'embed_dim': self.embed_dim}
`;

const TRANSFORMER_ENCODER_BLOCK_PY = `
@keras.saving.register_keras_serializable(package='netloom')
class TransformerEncoderBlock(layers.Layer):
    """Self-attention and a feed-forward network, each with a residual connection and LayerNorm.

    pre-norm:  y = x + drop(MHA(LN1(x)));  out = y + drop(FFN(LN2(y)))
    post-norm: y = LN1(x + drop(MHA(x)));  out = LN2(y + drop(FFN(y)))
    """

    def __init__(self, num_heads, key_dim, ff_dim, dropout=0.1, normalize_first=True, activation='relu', **kwargs):
        super().__init__(**kwargs)
        self.num_heads, self.key_dim, self.ff_dim = num_heads, key_dim, ff_dim
        self.rate, self.normalize_first, self.activation = dropout, normalize_first, activation

    def build(self, input_shape):
        dim = input_shape[-1]
        self.attention = layers.MultiHeadAttention(self.num_heads, self.key_dim, dropout=self.rate)
        self.norm1 = layers.LayerNormalization(epsilon=1e-5)
        self.ffn1 = layers.Dense(self.ff_dim, activation=self.activation)
        self.ffn2 = layers.Dense(dim)
        self.norm2 = layers.LayerNormalization(epsilon=1e-5)
        self.drop = layers.Dropout(self.rate)

    def call(self, x, training=None):
        def attend(t):
            return self.drop(self.attention(t, t, training=training), training=training)

        def ffn(t):
            return self.drop(self.ffn2(self.ffn1(t)), training=training)

        if self.normalize_first:
            y = x + attend(self.norm1(x))
            return y + ffn(self.norm2(y))
        y = self.norm1(x + attend(x))
        return self.norm2(y + ffn(y))

    def get_config(self):
        return {**super().get_config(), 'num_heads': self.num_heads, 'key_dim': self.key_dim, 'ff_dim': self.ff_dim,
                'dropout': self.rate, 'normalize_first': self.normalize_first, 'activation': self.activation}
`;

/**
 * TF.js's hard sigmoid, the gates of an LSTM or GRU with recurrentActivation hardSigmoid. Not
 * Keras 3's `hard_sigmoid`, which is relu6(x + 3) / 6 (slope 1/6, saturating at ±3): the generated
 * model passes this function instead of the name.
 */
export const TFJS_HARD_SIGMOID = 'tfjs_hard_sigmoid';
const TFJS_HARD_SIGMOID_PY = `
@keras.saving.register_keras_serializable(package='netloom')
def ${TFJS_HARD_SIGMOID}(x):
    """TF.js's hard sigmoid, clip(0.2 x + 0.5, 0, 1): the gates of TF.js's LSTM and GRU.

    Keras 3's own hard_sigmoid is relu6(x + 3) / 6, a different function.
    """
    return ops.clip(0.2 * x + 0.5, 0.0, 1.0)
`;

/** Keras layers whose Keras 3 Python differs from the JSON; others are `layers.<class_name>(**config)`. */
const KERAS3_BUILTIN: Readonly<Record<string, Keras3Class>> = {
  // Keras 3 renamed LeakyReLU's alpha.
  LeakyReLU: { args: ({ alpha, ...rest }) => ({ negative_slope: alpha ?? null, ...rest }) },
  // A variable axis (null in the JSON) is Python's -1 (inferred).
  Reshape: {
    args: (c) => ({ ...c, target_shape: (c.target_shape as readonly (number | null)[]).map((d) => d ?? -1) }),
  },
};

/**
 * Netloom's custom classes (the engine's, by the class name their Keras JSON gives) in Keras 3: a
 * Keras layer, or a class of model.py. An exhaustive map: a custom class added to the engine and
 * forgotten here does not compile.
 */
const KERAS3_CUSTOM: { readonly [C in CustomLayerClassName]: Keras3Class & { cls: string } } = {
  NetloomMultiHeadAttention: {
    cls: 'layers.MultiHeadAttention',
    args: ({ causal: _causal, ...rest }) => rest,
    // Keras calls it as (query, value, key); Netloom's ports are query, key, value.
    call: (l, [q, k, v], c) => `${l}(${q}, ${v}, key=${k}, use_causal_mask=${pyValue(c.causal ?? false)})`,
  },
  NetloomTransformerEncoderBlock: { cls: 'TransformerEncoderBlock', code: TRANSFORMER_ENCODER_BLOCK_PY },
  NetloomPositionalEmbedding: { cls: 'PositionalEmbedding', code: POSITIONAL_EMBEDDING_PY },
  // The GRU with reset after is Keras 3's own GRU (reset_after=True is its default form).
  NetloomGRU: {
    cls: 'layers.GRU',
    builtin: ({ bidirectional, ...c }) => {
      const gru: KerasLayer = {
        class_name: 'GRU',
        config: {
          units: c.units ?? null,
          activation: c.activation ?? 'tanh',
          recurrent_activation: c.recurrent_activation ?? 'sigmoid',
          reset_after: true,
          use_bias: true,
          return_sequences: c.return_sequences ?? false,
          dropout: c.dropout ?? 0,
          recurrent_dropout: c.recurrent_dropout ?? 0,
        },
      };
      return bidirectional === true
        ? {
            class_name: 'Bidirectional',
            config: { layer: gru as KerasLayer & JsonValue, merge_mode: 'concat' },
          }
        : gru;
    },
  },
};

/** A custom class that Keras 3 has built in, as that layer's JSON; any other layer as it is. */
function asBuiltin(k: KerasLayer): KerasLayer {
  const custom: Readonly<Record<string, Keras3Class>> = KERAS3_CUSTOM;
  const builtin = Object.hasOwn(custom, k.class_name) ? custom[k.class_name]?.builtin : undefined;
  return builtin ? builtin(k.config) : k;
}

function keras3(k: KerasLayer): Keras3Class & { cls: string } {
  const custom: Readonly<Record<string, Keras3Class & { cls: string }>> = KERAS3_CUSTOM;
  const c = Object.hasOwn(custom, k.class_name) ? custom[k.class_name] : undefined;
  if (c) return c;
  if (k.class_name.startsWith('Netloom'))
    throw new Error(`Keras export: ${k.class_name} is not one of the engine's custom layers`);
  const builtin = KERAS3_BUILTIN[k.class_name];
  return { ...builtin, cls: `layers.${k.class_name}` };
}

const isLayerJson = (v: JsonValue): v is KerasLayer & JsonValue =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && 'class_name' in v && 'config' in v;

/** A JSON config value as Python: arrays as tuples, a nested layer (Bidirectional's) as its constructor. */
function pyValue(v: JsonValue): string {
  if (v === null) return 'None';
  if (typeof v === 'boolean') return pyBool(v);
  if (typeof v === 'number') return pyNum(v);
  if (typeof v === 'string') return pyStr(v);
  if (Array.isArray(v)) return `(${v.map(pyValue).join(', ')}${v.length === 1 ? ',' : ''})`;
  if (isLayerJson(v)) return pyConstructor(v);
  throw new Error(`Keras export: no Python for ${JSON.stringify(v)}`);
}

/** Whether a layer (or the one a Bidirectional wraps) has TF.js's hard sigmoid gates. */
function hardSigmoidGates(k: KerasLayer): boolean {
  const inner = k.config.layer;
  return (
    k.config.recurrent_activation === 'hard_sigmoid' ||
    (inner !== undefined && isLayerJson(inner) && hardSigmoidGates(inner))
  );
}

/** A keyword argument's value as Python: TF.js's hard sigmoid gates as the function above. */
const pyArg = (key: string, v: JsonValue): string =>
  key === 'recurrent_activation' && v === 'hard_sigmoid' ? TFJS_HARD_SIGMOID : pyValue(v);

/** `cls(key=value, ..., extra...)`. */
function pyConstructor(k: KerasLayer, extra: readonly string[] = []): string {
  const { cls, args } = keras3(k);
  const kwargs = Object.entries(args ? args(k.config) : k.config).map(
    ([key, v]) => `${key}=${pyArg(key, v)}`,
  );
  return `${cls}(${[...kwargs, ...extra].join(', ')})`;
}

/**
 * One node of model.py's build_model(): `<py> = <layer>(<inputs>)`, the layer from its spec's Keras
 * JSON, and the Python source of the custom class it needs; null for Output (it compiles to nothing).
 * `name` is the layer's name as Python (default: the node's id as a string; in a block's function,
 * `prefix + "<id>"`).
 */
export function kerasLayerPy(
  n: Pick<PlanNode, 'id' | 'kind' | 'py' | 'config' | 'inputShapes' | 'outputShape'>,
  inputs: readonly string[],
  name = pyStr(n.id),
): { line: string; custom?: { cls: string; code: string } } | null {
  if (n.kind === 'Input')
    return {
      line: `${n.py} = keras.Input(shape=${pyShape(n.outputShape.slice(1))}, dtype=${pyStr(String(n.config.dtype))}, name=${name})`,
    };
  const json = layerSpec(n.kind).keras(n.config as ConfigOf<ParamSpecs>, n.inputShapes);
  if (!json) return null;
  const k = asBuiltin(json);
  const { cls, call, code } = keras3(k);
  const layer = pyConstructor(k, [`name=${name}`]);
  const applied = call
    ? call(layer, inputs, k.config)
    : `${layer}(${inputs.length === 1 ? inputs[0] : `[${inputs.join(', ')}]`})`;
  const custom = code
    ? { cls, code }
    : hardSigmoidGates(k)
      ? { cls: TFJS_HARD_SIGMOID, code: TFJS_HARD_SIGMOID_PY }
      : undefined;
  return { line: `${n.py} = ${applied}`, ...(custom ? { custom } : {}) };
}
