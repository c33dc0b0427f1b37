/**
 * Keras export: `model.py` builds the same graph with the Keras 3 functional API (each layer named
 * after its node; Netloom's custom kinds as small `keras.layers.Layer` subclasses with the engine's
 * exact maths), `train.py` compiles and fits it with the project's settings, and `data.py` (shared
 * with the PyTorch export) loads the data.
 */
import {
  type ConfigOf,
  type JsonValue,
  type KerasLayer,
  layerSpec,
  type ParamSpecs,
} from '../../shared/layers/index';
import { type TrainingConfig, weightDecayOf } from '../../shared/training/config';
import type { CustomLayerClassName } from '../engine/layers/classes';
import { pythonDataPackage } from './datafiles';
import {
  type ExportPlan,
  type PlanNode,
  planGraph,
  pyBool,
  pyNum,
  pyShape,
  pyStr,
  resolvedLoss,
} from './plan';
import type { Exporter } from './types';

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
};

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

/** `cls(key=value, ..., extra...)`. */
function pyConstructor(k: KerasLayer, extra: readonly string[] = []): string {
  const { cls, args } = keras3(k);
  const kwargs = Object.entries(args ? args(k.config) : k.config).map(([key, v]) => `${key}=${pyValue(v)}`);
  return `${cls}(${[...kwargs, ...extra].join(', ')})`;
}

/**
 * One node of model.py's build_model(): `<py> = <layer>(<inputs>)`, the layer from its spec's Keras
 * JSON, and the Python source of the custom class it needs; null for Output (it compiles to nothing).
 */
export function kerasLayerPy(
  n: Pick<PlanNode, 'id' | 'kind' | 'py' | 'config' | 'inputShapes' | 'outputShape'>,
  inputs: readonly string[],
): { line: string; custom?: { cls: string; code: string } } | null {
  if (n.kind === 'Input')
    return {
      line: `${n.py} = keras.Input(shape=${pyShape(n.outputShape.slice(1))}, dtype=${pyStr(String(n.config.dtype))}, name=${pyStr(n.id)})`,
    };
  const k = layerSpec(n.kind).keras(n.config as ConfigOf<ParamSpecs>, n.inputShapes);
  if (!k) return null;
  const { cls, call, code } = keras3(k);
  const layer = pyConstructor(k, [`name=${pyStr(n.id)}`]);
  const applied = call
    ? call(layer, inputs, k.config)
    : `${layer}(${inputs.length === 1 ? inputs[0] : `[${inputs.join(', ')}]`})`;
  return { line: `${n.py} = ${applied}`, ...(code ? { custom: { cls, code } } : {}) };
}

export function kerasModelPy(plan: ExportPlan, projectName: string, version: string): string {
  const custom = new Map<string, string>();
  const lines: string[] = [];
  const v = new Map<string, string>();
  for (const n of plan.nodes) {
    const py = kerasLayerPy(
      n,
      n.sources.map((s) => v.get(s)!),
    );
    if (!py) continue;
    if (py.custom) custom.set(py.custom.cls, py.custom.code.trim());
    lines.push(`    ${py.line}`);
    v.set(n.id, n.py);
  }
  const outs = plan.outputs.map((o) => v.get(o.source.id)!);
  const customCode = [...custom]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([, code]) => code)
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

/** `**OPTIONS`: the weight decay and gradient clipping (optimizer_options() in train.py). */
const KERAS_OPTIMIZERS: Record<TrainingConfig['optimizer'], string> = {
  sgd: 'keras.optimizers.SGD(learning_rate=lr, **OPTIONS)',
  momentum: 'keras.optimizers.SGD(learning_rate=lr, momentum=0.9, **OPTIONS)',
  adam: 'keras.optimizers.Adam(learning_rate=lr, epsilon=1e-7, **OPTIONS)',
  adamw: 'keras.optimizers.AdamW(learning_rate=lr, epsilon=1e-7, **OPTIONS)',
  rmsprop: 'keras.optimizers.RMSprop(learning_rate=lr, rho=0.9, epsilon=1e-7, **OPTIONS)',
  adagrad: 'keras.optimizers.Adagrad(learning_rate=lr, initial_accumulator_value=0.1, **OPTIONS)',
};

/** The schedule as Keras callbacks (the same numbers as shared/training/schedule.ts). */
function kerasSchedule(config: TrainingConfig): string {
  const s = config.schedule;
  const lr = config.learningRate;
  if (!s) return 'SCHEDULE = []';
  if (s.kind === 'step')
    return `SCHEDULE = [keras.callbacks.LearningRateScheduler(
    lambda epoch, lr: ${lr} * ${s.factor} ** (epoch // ${s.everyEpochs}))]  # step: x${s.factor} every ${s.everyEpochs} epochs`;
  if (s.kind === 'cosine')
    return `MIN_LR = min(${s.minLearningRate}, ${lr})
SCHEDULE = [keras.callbacks.LearningRateScheduler(  # cosine over the run's epochs (set in main)
    lambda epoch, lr: MIN_LR + (${lr} - MIN_LR) * (1 + math.cos(math.pi * epoch / max(1, EPOCHS[0]))) / 2)]`;
  return `# Reduce on plateau. Netloom (like PyTorch) counts an improvement smaller than 0.01% of the best
# loss as none; Keras's min_delta is absolute, so it is left at 0 here.
SCHEDULE = [keras.callbacks.ReduceLROnPlateau(monitor='val_loss', factor=${s.factor}, patience=${s.patience},
                                              min_lr=${s.minLearningRate}, min_delta=0)]`;
}

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
import math

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
    'weight_decay': ${weightDecayOf(config)},
    'clip_norm': ${config.clipNorm ?? 'None'},
}
LOSSES = ${JSON.stringify(losses)}
EPOCHS = [CONFIG['epochs']]
${kerasSchedule(config)}


def optimizer_options():
    """Weight decay and gradient clipping for the optimizer. Keras applies weight_decay decoupled
    (w -= lr * wd * w each step, as AdamW does): exactly Netloom's weight decay for SGD and AdamW.
    For the other optimizers Netloom and PyTorch add wd * w to the gradient (L2) instead, which Keras
    optimizers do not offer, so their runs differ a little when weight decay is on."""
    options = {'weight_decay': CONFIG['weight_decay']}
    if CONFIG['clip_norm'] is not None:
        options['global_clipnorm'] = CONFIG['clip_norm']
    return options


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
    for callback in SCHEDULE:  # without validation rows the schedule watches the training loss
        if isinstance(callback, keras.callbacks.ReduceLROnPlateau) and not len(val):
            callback.monitor = 'loss'
    model = build_model()
    lr = CONFIG['learning_rate']
    EPOCHS[0] = args.epochs
    OPTIONS = optimizer_options()
    model.compile(optimizer=${KERAS_OPTIMIZERS[config.optimizer]}, loss=LOSSES${classification ? ", metrics=['accuracy']" : ''})
    inputs = len(model.inputs)
    model.fit([x[train]] * inputs, y[train], batch_size=CONFIG['batch_size'], epochs=args.epochs,
              shuffle=CONFIG['shuffle'], callbacks=SCHEDULE, validation_data=([x[val]] * inputs, y[val]) if len(val) else None)
    model.save(args.out)
    print(f'saved {args.out}')


if __name__ == '__main__':
    main()
`;
}

export const exportKeras: Exporter = async (bundle, options, version) => {
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
};
