/**
 * Keras export: `model.py` builds the same graph with the Keras 3 functional API (each layer named
 * after its node; Netloom's custom kinds as small `keras.layers.Layer` subclasses with the engine's
 * exact maths), `train.py` compiles and fits it with the project's settings, and `data.py` (shared
 * with the PyTorch export) loads the data.
 */
import type { ProjectBundle } from '../../shared/ir/project';
import type { LayerKind } from '../../shared/layers/index';
import type { TrainingConfig } from '../../shared/training/config';
import { pythonDataPackage } from './datafiles';
import {
  bool,
  type ExportPlan,
  ints,
  num,
  type PlanNode,
  planGraph,
  pyBool,
  pyNum,
  pyShape,
  pyStr,
  resolvedLoss,
  str,
} from './plan';
import type { ExportOptions } from './types';

type Custom = 'PositionalEmbedding' | 'TransformerEncoderBlock';

interface KerasLayer {
  custom?: Custom;
  /** The layer constructor without its closing parenthesis (the caller adds `name=`); none for Input/Output. */
  layer?: (n: PlanNode) => string;
  /** How the layer is applied: default `layer(x)` / `layer([a, b])`. */
  call?: (layer: string, args: readonly string[], n: PlanNode) => string;
}

const list = (v: readonly number[]) => `(${v.join(', ')}${v.length === 1 ? ',' : ''})`;

const conv = (cls: string): KerasLayer => ({
  layer: (n) =>
    `layers.${cls}(${num(n, 'filters')}, ${list(ints(n, 'kernelSize'))}, strides=${list(ints(n, 'strides'))}, ` +
    `padding=${pyStr(str(n, 'padding'))}, dilation_rate=${list(ints(n, 'dilationRate'))}, activation=${pyStr(str(n, 'activation'))}, use_bias=${pyBool(bool(n, 'useBias'))}`,
});

const pool = (cls: string): KerasLayer => ({
  layer: (n) =>
    `layers.${cls}(pool_size=${list(ints(n, 'poolSize'))}, strides=${list(ints(n, 'strides'))}, padding=${pyStr(str(n, 'padding'))}`,
});

function recurrent(cls: 'SimpleRNN' | 'LSTM' | 'GRU'): KerasLayer {
  return {
    layer: (n) => {
      const extra =
        cls === 'GRU'
          ? ', recurrent_activation="sigmoid", reset_after=False'
          : cls === 'LSTM'
            ? ', recurrent_activation="sigmoid", unit_forget_bias=True'
            : '';
      const inner =
        `layers.${cls}(${num(n, 'units')}, activation=${pyStr(str(n, 'activation'))}${extra}, ` +
        `return_sequences=${pyBool(bool(n, 'returnSequences'))}, dropout=${pyNum(num(n, 'dropout'))}, recurrent_dropout=${pyNum(num(n, 'recurrentDropout'))}`;
      return bool(n, 'bidirectional') ? `layers.Bidirectional(${inner}), merge_mode="concat"` : inner;
    },
  };
}

export const KERAS_LAYERS: { readonly [K in LayerKind]: KerasLayer } = {
  Input: {},
  Output: {},
  Dense: {
    layer: (n) =>
      `layers.Dense(${num(n, 'units')}, activation=${pyStr(str(n, 'activation'))}, use_bias=${pyBool(bool(n, 'useBias'))}`,
  },
  Activation: {
    layer: (n) =>
      str(n, 'fn') === 'leakyRelu'
        ? `layers.LeakyReLU(negative_slope=${pyNum(num(n, 'alpha'))}`
        : `layers.Activation(${pyStr(str(n, 'fn'))}`,
  },
  Dropout: { layer: (n) => `layers.Dropout(${pyNum(num(n, 'rate'))}` },
  Flatten: { layer: () => `layers.Flatten(` },
  Reshape: {
    layer: (n) =>
      `layers.Reshape(${pyShape((n.config.targetShape as readonly (number | null)[]).map((d) => d ?? -1))}`,
  },
  Embedding: { layer: (n) => `layers.Embedding(${num(n, 'inputDim')}, ${num(n, 'outputDim')}` },
  Conv1D: conv('Conv1D'),
  Conv2D: conv('Conv2D'),
  Conv2DTranspose: {
    layer: (n) =>
      `layers.Conv2DTranspose(${num(n, 'filters')}, ${list(ints(n, 'kernelSize'))}, strides=${list(ints(n, 'strides'))}, ` +
      `padding=${pyStr(str(n, 'padding'))}, activation=${pyStr(str(n, 'activation'))}, use_bias=${pyBool(bool(n, 'useBias'))}`,
  },
  MaxPool1D: pool('MaxPooling1D'),
  MaxPool2D: pool('MaxPooling2D'),
  AvgPool1D: pool('AveragePooling1D'),
  AvgPool2D: pool('AveragePooling2D'),
  GlobalAvgPool1D: { layer: () => `layers.GlobalAveragePooling1D(` },
  GlobalAvgPool2D: { layer: () => `layers.GlobalAveragePooling2D(` },
  GlobalMaxPool1D: { layer: () => `layers.GlobalMaxPooling1D(` },
  GlobalMaxPool2D: { layer: () => `layers.GlobalMaxPooling2D(` },
  BatchNormalization: {
    layer: (n) =>
      `layers.BatchNormalization(momentum=${pyNum(num(n, 'momentum'))}, epsilon=${pyNum(num(n, 'epsilon'))}, center=${pyBool(bool(n, 'center'))}, scale=${pyBool(bool(n, 'scale'))}`,
  },
  LayerNormalization: {
    layer: (n) =>
      `layers.LayerNormalization(epsilon=${pyNum(num(n, 'epsilon'))}, center=${pyBool(bool(n, 'center'))}, scale=${pyBool(bool(n, 'scale'))}`,
  },
  SimpleRNN: recurrent('SimpleRNN'),
  LSTM: recurrent('LSTM'),
  GRU: recurrent('GRU'),
  MultiHeadAttention: {
    layer: (n) =>
      `layers.MultiHeadAttention(num_heads=${num(n, 'numHeads')}, key_dim=${num(n, 'keyDim')}, value_dim=${num(n, 'valueDim') || num(n, 'keyDim')}, ` +
      `dropout=${pyNum(num(n, 'dropout'))}, use_bias=${pyBool(bool(n, 'useBias'))}`,
    // Keras calls it as (query, value, key); Netloom's ports are query, key, value.
    call: (l, [q, k, v], n) => `${l}(${q}, ${v}, key=${k}, use_causal_mask=${pyBool(bool(n, 'causal'))})`,
  },
  TransformerEncoderBlock: {
    custom: 'TransformerEncoderBlock',
    layer: (n) =>
      `TransformerEncoderBlock(num_heads=${num(n, 'numHeads')}, key_dim=${num(n, 'keyDim')}, ff_dim=${num(n, 'ffDim')}, ` +
      `dropout=${pyNum(num(n, 'dropout'))}, normalize_first=${pyBool(str(n, 'norm') === 'pre')}, activation=${pyStr(str(n, 'activation'))}`,
  },
  PositionalEmbedding: {
    custom: 'PositionalEmbedding',
    layer: (n) =>
      `PositionalEmbedding(vocab_size=${num(n, 'vocabSize')}, max_length=${num(n, 'maxLength')}, embed_dim=${num(n, 'embedDim')}`,
  },
  Add: { layer: () => `layers.Add(` },
  Concatenate: { layer: (n) => `layers.Concatenate(axis=${num(n, 'axis')}` },
  Multiply: { layer: () => `layers.Multiply(` },
};

const CUSTOM_CODE: Record<Custom, string> = {
  PositionalEmbedding: `
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
`,
  TransformerEncoderBlock: `
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
`,
};

export function kerasModelPy(plan: ExportPlan, projectName: string, version: string): string {
  const custom = new Set<Custom>();
  const lines: string[] = [];
  const v = new Map<string, string>();
  for (const n of plan.nodes) {
    const k = KERAS_LAYERS[n.kind];
    if (k.custom) custom.add(k.custom);
    if (n.kind === 'Input') {
      lines.push(
        `    ${n.py} = keras.Input(shape=${pyShape(n.outputShape.slice(1))}, dtype=${pyStr(str(n, 'dtype'))}, name=${pyStr(n.id)})`,
      );
      v.set(n.id, n.py);
      continue;
    }
    if (n.kind === 'Output' || !k.layer) continue;
    const args = n.sources.map((s) => v.get(s)!);
    const head = k.layer(n);
    const layer = `${head}${head.endsWith('(') ? '' : ', '}name=${pyStr(n.id)})`;
    const applied = k.call
      ? k.call(layer, args, n)
      : `${layer}(${args.length === 1 ? args[0] : `[${args.join(', ')}]`})`;
    lines.push(`    ${n.py} = ${applied}`);
    v.set(n.id, n.py);
  }
  const outs = plan.outputs.map((o) => v.get(o.source.id)!);
  const customCode = [...custom]
    .sort()
    .map((c) => CUSTOM_CODE[c].trim())
    .join('\n\n\n');
  return `"""${projectName}: the Netloom graph as a Keras 3 functional model (generated by Netloom ${version}).

    from model import build_model
    model = build_model()
    model.summary()

Layers are named after the graph's nodes. Netloom's custom kinds are small keras.layers.Layer
subclasses below, registered for saving and loading (package "netloom").
"""
import keras
from keras import layers, ops
${customCode ? `\n\n${customCode}\n` : ''}

def build_model():
${lines.join('\n')}
    return keras.Model(inputs=[${plan.inputs.map((i) => i.py).join(', ')}], outputs=[${outs.join(', ')}], name=${pyStr(projectName.replace(/[^A-Za-z0-9_]/g, '_') || 'netloom_model')})


if __name__ == '__main__':
    build_model().summary()
`;
}

const KERAS_OPTIMIZERS: Record<TrainingConfig['optimizer'], string> = {
  sgd: 'keras.optimizers.SGD(learning_rate=lr)',
  momentum: 'keras.optimizers.SGD(learning_rate=lr, momentum=0.9)',
  adam: 'keras.optimizers.Adam(learning_rate=lr, epsilon=1e-7)',
  adamw: 'keras.optimizers.AdamW(learning_rate=lr, weight_decay=0.01, epsilon=1e-7)',
  rmsprop: 'keras.optimizers.RMSprop(learning_rate=lr, rho=0.9, epsilon=1e-7)',
  adagrad: 'keras.optimizers.Adagrad(learning_rate=lr, initial_accumulator_value=0.1)',
};

const KERAS_LOSSES = {
  sparseCategoricalCrossentropy: 'sparse_categorical_crossentropy',
  binaryCrossentropy: 'binary_crossentropy',
  meanSquaredError: 'mean_squared_error',
  meanAbsoluteError: 'mean_absolute_error',
} as const;

export function kerasTrainPy(plan: ExportPlan, projectName: string, config: TrainingConfig): string {
  const losses = plan.outputs.map((o) => KERAS_LOSSES[resolvedLoss(plan, config.loss, o)]);
  const classification = losses.some((l) => l.endsWith('crossentropy'));
  return `"""Trains the Netloom project ${JSON.stringify(projectName)} with Keras 3 (any backend).

    python3 train.py [--epochs N] [--data FILE.csv] [--out trained.keras]
"""
import argparse

import keras
import numpy as np

import data as netloom_data
from model import build_model

CONFIG = {
    'optimizer': ${pyStr(config.optimizer)},
    'learning_rate': ${config.learningRate},
    'batch_size': ${config.batchSize},
    'epochs': ${config.epochs},
    'validation_split': ${config.validationSplit},
    'shuffle': ${pyBool(config.shuffle)},
    'seed': ${config.seed},
}
LOSSES = ${JSON.stringify(losses)}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--epochs', type=int, default=CONFIG['epochs'], help="overrides the project's epochs")
    ap.add_argument('--data', help='a CSV file or a .safetensors file of arrays (default: the exported data)')
    ap.add_argument('--out', default='trained.keras')
    args = ap.parse_args()
    keras.utils.set_random_seed(CONFIG['seed'])
    ds = netloom_data.load(args.data)
    x = np.frombuffer(ds.x, dtype=np.int32 if ds.x.typecode == 'i' else np.float32).reshape((ds.count, *ds.sample_shape))
    y = np.frombuffer(ds.y, dtype=np.int32 if ds.y.typecode == 'i' else np.float32)
    y = y.reshape((ds.count, -1)) if ds.target_size > 1 else y.reshape((ds.count,))
    rng = np.random.default_rng(CONFIG['seed'])
    order = np.arange(ds.count) if ds.holdout or not CONFIG['shuffle'] else rng.permutation(ds.count)
    n_val = ds.holdout or int(ds.count * CONFIG['validation_split'])
    train, val = order[: ds.count - n_val], order[ds.count - n_val:]
    model = build_model()
    lr = CONFIG['learning_rate']
    model.compile(optimizer=${KERAS_OPTIMIZERS[config.optimizer]}, loss=LOSSES${classification ? ", metrics=['accuracy']" : ''})
    inputs = len(model.inputs)
    model.fit([x[train]] * inputs, y[train], batch_size=CONFIG['batch_size'], epochs=args.epochs,
              shuffle=CONFIG['shuffle'], validation_data=([x[val]] * inputs, y[val]) if len(val) else None)
    model.save(args.out)
    print(f'saved {args.out}')


if __name__ == '__main__':
    main()
`;
}

export async function exportKeras(
  bundle: ProjectBundle,
  options: ExportOptions,
  version: string,
): Promise<Map<string, Uint8Array | string>> {
  const plan = planGraph(bundle.project.graph);
  const { project } = bundle;
  const { out } = pythonDataPackage(bundle, plan, options);
  out.set('model.py', kerasModelPy(plan, project.name, version));
  out.set('train.py', kerasTrainPy(plan, project.name, project.training));
  out.set(
    'README.md',
    `# ${project.name} — Keras export

Generated by Netloom ${version}. Needs Python 3.9+, Keras 3 with a backend (TensorFlow, JAX or PyTorch) and NumPy.

    python3 model.py                 # prints the model summary
    python3 train.py --epochs 2      # trains with the project's optimizer, loss, batch size and seed

\`model.py\` builds the graph with the functional API; each layer is named after its node. Netloom's
custom kinds (PositionalEmbedding, TransformerEncoderBlock) are \`keras.layers.Layer\` subclasses in
\`model.py\`, registered for \`keras.saving\` under the package "netloom"; MultiHeadAttention is
Keras's own layer. GRUs use \`reset_after=False\` (Netloom's TF.js engine has no other form).
\`data.py\` is the same loader as in the PyTorch export (exported arrays, or a CSV encoded with
\`preprocessing.json\`; see that export's README for the file's format).

Trained weights: export \`--format tfjs\` (a TF.js layers model), or \`--format pytorch\` for a
converted \`weights.pt\`.
`,
  );
  return out;
}
