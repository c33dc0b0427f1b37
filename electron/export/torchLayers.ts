/**
 * Every layer kind of the catalog in PyTorch: the `nn.Module` it becomes (or the inline expression
 * when it has no state), its call in `forward()`, and how its trained TF.js weights become the
 * module's state-dict entries. An exhaustive map: a kind added to the catalog and forgotten here does
 * not compile.
 */
import type { LayerKind } from '../../shared/layers/index';
import type { Helper } from './pyruntime';
import { bool, ints, lastDim, num, type PlanNode, pyBool, pyNum, pyStr, str } from './plan';
import { type HostTensor, permute, reorderBlocks, reshape, rows, transpose2d, zeros } from './tensors';

type Weights = (name: string) => HostTensor;

export interface TorchLayer {
  /** Blocks of the runtime this kind needs in model.py (or this node, when it depends on it). */
  helpers: readonly Helper[] | ((n: PlanNode) => readonly Helper[]);
  /** The submodule's constructor; undefined for stateless kinds written inline in forward(). */
  module?: (n: PlanNode) => string;
  /** The forward() expression; `m` is `self.<name>`, `args` the input tensors' names in port order. */
  call: (n: PlanNode, m: string, args: readonly string[]) => string;
  /** TF.js weights (catalog names) -> state-dict entries relative to the submodule. */
  convert?: (n: PlanNode, w: Weights) => [string, HostTensor][];
}

const a0 = (args: readonly string[]) => args[0] ?? 'None';
const tuple = (v: readonly number[]) => (v.length === 1 ? `(${v[0]},)` : `(${v.join(', ')})`);

function convLayer(rank: 1 | 2): TorchLayer {
  return {
    helpers: ['Conv'],
    module: (n) =>
      `Conv(${lastDim(n)}, ${num(n, 'filters')}, ${tuple(ints(n, 'kernelSize'))}, ${tuple(ints(n, 'strides'))}, ` +
      `${pyStr(str(n, 'padding'))}, ${tuple(ints(n, 'dilationRate'))}, ${pyStr(str(n, 'activation'))}, bias=${pyBool(bool(n, 'useBias'))})`,
    call: (_n, m, args) => `${m}(${a0(args)})`,
    // TF.js kernels are [k, in, out] / HWIO; PyTorch's are [out, in, k] / OIHW.
    convert: (n, w) => [
      ['weight', permute(w('kernel'), rank === 1 ? [2, 1, 0] : [3, 2, 0, 1])],
      ...(bool(n, 'useBias') ? ([['bias', w('bias')]] as [string, HostTensor][]) : []),
    ],
  };
}

function poolLayer(mode: 'max' | 'avg'): TorchLayer {
  return {
    helpers: ['Pool'],
    module: (n) =>
      `Pool(${pyStr(mode)}, ${tuple(ints(n, 'poolSize'))}, ${tuple(ints(n, 'strides'))}, ${pyStr(str(n, 'padding'))})`,
    call: (_n, m, args) => `${m}(${a0(args)})`,
  };
}

const GATE_ORDER: Record<'SimpleRNN' | 'LSTM' | 'GRU', { gates: number; order: number[] }> = {
  SimpleRNN: { gates: 1, order: [0] },
  // Keras i, f, c, o is PyTorch's i, f, g, o.
  LSTM: { gates: 4, order: [0, 1, 2, 3] },
  // Keras z, r, h -> PyTorch r, z, n.
  GRU: { gates: 3, order: [1, 0, 2] },
};

/**
 * A GRU with reset after that nn.GRU computes exactly (tanh, sigmoid gates, and no dropout for
 * train.py to apply).
 */
const isTorchGru = (n: PlanNode) =>
  n.kind === 'GRU' &&
  bool(n, 'resetAfter') &&
  str(n, 'activation') === 'tanh' &&
  str(n, 'recurrentActivation') === 'sigmoid' &&
  num(n, 'dropout') === 0 &&
  num(n, 'recurrentDropout') === 0;

function recurrentModule(cell: 'SimpleRNN' | 'LSTM' | 'GRU', n: PlanNode): string {
  const shape = `return_sequences=${pyBool(bool(n, 'returnSequences'))}, bidirectional=${pyBool(bool(n, 'bidirectional'))}`;
  if (isTorchGru(n)) return `GRU(${lastDim(n)}, ${num(n, 'units')}, ${shape})`;
  return (
    `Recurrent(${pyStr(cell)}, ${lastDim(n)}, ${num(n, 'units')}, activation=${pyStr(str(n, 'activation'))}, ` +
    `${shape}, dropout=${pyNum(num(n, 'dropout'))}, recurrent_dropout=${pyNum(num(n, 'recurrentDropout'))}` +
    `${cell === 'GRU' && bool(n, 'resetAfter') ? ', reset_after=True' : ''}` +
    `${cell !== 'SimpleRNN' && str(n, 'recurrentActivation') === 'hardSigmoid' ? `, recurrent_activation=${pyStr('hardSigmoid')}` : ''})`
  );
}

function recurrentLayer(cell: 'SimpleRNN' | 'LSTM' | 'GRU'): TorchLayer {
  return {
    helpers: (n) => (isTorchGru(n) ? ['GRU'] : ['Recurrent']),
    module: (n) => recurrentModule(cell, n),
    call: (_n, m, args) => `${m}(${a0(args)})`,
    convert: (n, w) => {
      const { gates, order } = GATE_ORDER[cell];
      const dirs: [string, string][] = bool(n, 'bidirectional')
        ? [
            ['forward_', ''],
            ['backward_', '_reverse'],
          ]
        : [['', '']];
      // A GRU with reset after has Keras's bias [2, 3u]: input row, recurrent row (PyTorch's two).
      const split = cell === 'GRU' && bool(n, 'resetAfter');
      const out: [string, HostTensor][] = [];
      for (const [prefix, sfx] of dirs) {
        const bias = w(`${prefix}bias`);
        const [input, recurrent] = split ? rows(bias) : [bias, zeros([...bias.shape])];
        out.push([`weight_ih_l0${sfx}`, reorderBlocks(transpose2d(w(`${prefix}kernel`)), gates, order)]);
        out.push([
          `weight_hh_l0${sfx}`,
          reorderBlocks(transpose2d(w(`${prefix}recurrent_kernel`)), gates, order),
        ]);
        out.push([`bias_ih_l0${sfx}`, reorderBlocks(input!, gates, order)]);
        out.push([`bias_hh_l0${sfx}`, reorderBlocks(recurrent!, gates, order)]);
      }
      return out;
    },
  };
}

/** Keras's [d, heads, k] projection kernels as nn.Linear weights [heads·k, d]. */
function attentionWeights(w: Weights, prefix: string, useBias: boolean): [string, HostTensor][] {
  const proj = (name: string): [string, HostTensor][] => {
    const k = w(`${name}_kernel`);
    const [d = 1, h = 1, e = 1] = k.shape;
    const out: [string, HostTensor][] = [[`${prefix}${name}.weight`, transpose2d(reshape(k, [d, h * e]))]];
    if (useBias) out.push([`${prefix}${name}.bias`, reshape(w(`${name}_bias`), [h * e])]);
    return out;
  };
  const o = w('attention_output_kernel');
  const [h = 1, v = 1, dq = 1] = o.shape;
  return [
    ...proj('query'),
    ...proj('key'),
    ...proj('value'),
    [`${prefix}output.weight`, transpose2d(reshape(o, [h * v, dq]))],
    ...(useBias ? ([[`${prefix}output.bias`, w('attention_output_bias')]] as [string, HostTensor][]) : []),
  ];
}

const fnCall = (expr: (x: string, n: PlanNode) => string): TorchLayer => ({
  helpers: [],
  call: (n, _m, args) => expr(a0(args), n),
});

export const TORCH_LAYERS: { readonly [K in LayerKind]: TorchLayer } = {
  Input: { helpers: [], call: (_n, _m, args) => a0(args) },
  Output: { helpers: [], call: (_n, _m, args) => a0(args) },
  Dense: {
    helpers: ['Dense'],
    module: (n) =>
      `Dense(${lastDim(n)}, ${num(n, 'units')}, activation=${pyStr(str(n, 'activation'))}, bias=${pyBool(bool(n, 'useBias'))})`,
    call: (_n, m, args) => `${m}(${a0(args)})`,
    convert: (n, w) => [
      ['weight', transpose2d(w('kernel'))], // Keras [in, out] -> nn.Linear [out, in]
      ...(bool(n, 'useBias') ? ([['bias', w('bias')]] as [string, HostTensor][]) : []),
    ],
  },
  Activation: {
    helpers: ['activate'],
    call: (n, _m, args) =>
      str(n, 'fn') === 'leakyRelu'
        ? `activate(${a0(args)}, 'leakyRelu', ${pyNum(num(n, 'alpha'))})`
        : `activate(${a0(args)}, ${pyStr(str(n, 'fn'))})`,
  },
  Dropout: {
    helpers: [],
    module: (n) => `nn.Dropout(${pyNum(num(n, 'rate'))})`,
    call: (_n, m, args) => `${m}(${a0(args)})`,
  },
  Flatten: fnCall((x) => `${x}.flatten(1)`),
  Reshape: fnCall((x, n) => {
    const t = (n.config.targetShape as readonly (number | null)[]).map((d) => String(d ?? -1));
    return `${x}.reshape(${x}.shape[0], ${t.join(', ')})`;
  }),
  Embedding: {
    helpers: [],
    module: (n) => `nn.Embedding(${num(n, 'inputDim')}, ${num(n, 'outputDim')})`,
    call: (_n, m, args) => `${m}(${a0(args)}.long())`,
    convert: (_n, w) => [['weight', w('embeddings')]],
  },
  Conv1D: convLayer(1),
  Conv2D: convLayer(2),
  Conv2DTranspose: {
    helpers: ['ConvTranspose2D'],
    module: (n) =>
      `ConvTranspose2D(${lastDim(n)}, ${num(n, 'filters')}, ${tuple(ints(n, 'kernelSize'))}, ${tuple(ints(n, 'strides'))}, ` +
      `${pyStr(str(n, 'padding'))}, ${pyStr(str(n, 'activation'))}, bias=${pyBool(bool(n, 'useBias'))})`,
    call: (_n, m, args) => `${m}(${a0(args)})`,
    // TF.js [kh, kw, out, in] (HWOI) -> PyTorch's ConvTranspose2d [in, out, kh, kw] (IOHW).
    convert: (n, w) => [
      ['weight', permute(w('kernel'), [3, 2, 0, 1])],
      ...(bool(n, 'useBias') ? ([['bias', w('bias')]] as [string, HostTensor][]) : []),
    ],
  },
  MaxPool1D: poolLayer('max'),
  MaxPool2D: poolLayer('max'),
  AvgPool1D: poolLayer('avg'),
  AvgPool2D: poolLayer('avg'),
  GlobalAvgPool1D: fnCall((x) => `${x}.mean(1)`),
  GlobalAvgPool2D: fnCall((x) => `${x}.mean((1, 2))`),
  GlobalMaxPool1D: fnCall((x) => `${x}.amax(1)`),
  GlobalMaxPool2D: fnCall((x) => `${x}.amax((1, 2))`),
  BatchNormalization: {
    helpers: ['BatchNorm'],
    module: (n) =>
      `BatchNorm(${lastDim(n)}, momentum=${pyNum(num(n, 'momentum'))}, epsilon=${pyNum(num(n, 'epsilon'))}, ` +
      `center=${pyBool(bool(n, 'center'))}, scale=${pyBool(bool(n, 'scale'))})`,
    call: (_n, m, args) => `${m}(${a0(args)})`,
    convert: (n, w) => [
      ...(bool(n, 'scale') ? ([['weight', w('gamma')]] as [string, HostTensor][]) : []),
      ...(bool(n, 'center') ? ([['bias', w('beta')]] as [string, HostTensor][]) : []),
      ['running_mean', w('moving_mean')],
      ['running_var', w('moving_variance')],
    ],
  },
  LayerNormalization: {
    helpers: ['LayerNorm'],
    module: (n) =>
      `LayerNorm(${lastDim(n)}, epsilon=${pyNum(num(n, 'epsilon'))}, center=${pyBool(bool(n, 'center'))}, scale=${pyBool(bool(n, 'scale'))})`,
    call: (_n, m, args) => `${m}(${a0(args)})`,
    convert: (n, w) => [
      ...(bool(n, 'scale') ? ([['weight', w('gamma')]] as [string, HostTensor][]) : []),
      ...(bool(n, 'center') ? ([['bias', w('beta')]] as [string, HostTensor][]) : []),
    ],
  },
  SimpleRNN: recurrentLayer('SimpleRNN'),
  LSTM: recurrentLayer('LSTM'),
  GRU: recurrentLayer('GRU'),
  MultiHeadAttention: {
    helpers: ['MultiHeadAttention'],
    module: (n) => {
      const k = num(n, 'keyDim');
      const v = num(n, 'valueDim') || k;
      return (
        `MultiHeadAttention(${lastDim(n, 0)}, ${lastDim(n, 1)}, ${lastDim(n, 2)}, ${num(n, 'numHeads')}, ${k}, ${v}, ` +
        `dropout=${pyNum(num(n, 'dropout'))}, bias=${pyBool(bool(n, 'useBias'))}, causal=${pyBool(bool(n, 'causal'))})`
      );
    },
    call: (_n, m, args) => `${m}(${args.join(', ')})`,
    convert: (n, w) => attentionWeights(w, '', bool(n, 'useBias')),
  },
  TransformerEncoderBlock: {
    helpers: ['TransformerEncoderBlock'],
    module: (n) =>
      `TransformerEncoderBlock(${lastDim(n)}, ${num(n, 'numHeads')}, ${num(n, 'keyDim')}, ${num(n, 'ffDim')}, ` +
      `dropout=${pyNum(num(n, 'dropout'))}, normalize_first=${pyBool(str(n, 'norm') === 'pre')}, activation=${pyStr(str(n, 'activation'))})`,
    call: (_n, m, args) => `${m}(${a0(args)})`,
    convert: (_n, w) => [
      ...attentionWeights(w, 'attention.', true),
      ['norm1.weight', w('norm1_gamma')],
      ['norm1.bias', w('norm1_beta')],
      ['ffn1.weight', transpose2d(w('ffn1_kernel'))],
      ['ffn1.bias', w('ffn1_bias')],
      ['ffn2.weight', transpose2d(w('ffn2_kernel'))],
      ['ffn2.bias', w('ffn2_bias')],
      ['norm2.weight', w('norm2_gamma')],
      ['norm2.bias', w('norm2_beta')],
    ],
  },
  PositionalEmbedding: {
    helpers: ['PositionalEmbedding'],
    module: (n) =>
      `PositionalEmbedding(${num(n, 'vocabSize')}, ${num(n, 'maxLength')}, ${num(n, 'embedDim')})`,
    call: (_n, m, args) => `${m}(${a0(args)})`,
    convert: (_n, w) => [
      ['token.weight', w('token_embeddings')],
      ['position.weight', w('position_embeddings')],
    ],
  },
  Add: { helpers: [], call: (_n, _m, args) => args.join(' + ') },
  Concatenate: {
    helpers: [],
    call: (n, _m, args) => `torch.cat([${args.join(', ')}], dim=${num(n, 'axis')})`,
  },
  Multiply: { helpers: [], call: (_n, _m, args) => args.join(' * ') },
};
