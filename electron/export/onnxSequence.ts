/**
 * The sequence layers in ONNX: SimpleRNN, LSTM and GRU as ONNX's RNN, LSTM and GRU ops (gate order
 * and biases converted; the GRU is Keras's reset_after=False form, ONNX's linear_before_reset=0, or
 * with reset after linear_before_reset=1 and its two biases), and
 * multi-head attention, the Transformer encoder block and the positional embedding decomposed into
 * MatMul, Softmax and LayerNormalization (Keras 3 semantics, as the engine's custom layers).
 */
import { int, intList, type OnnxBuilder } from './onnxGraph';
import { activate, layerNorm, type OnnxLayer, refuse, type Weights, x0 } from './onnxOps';
import { bool, lastDim, num, type PlanNode, str } from './plan';
import { type HostTensor, reorderBlocks, reshape, rows, transpose2d } from './tensors';

type Cell = 'SimpleRNN' | 'LSTM' | 'GRU';

/** Keras gate blocks -> ONNX's: LSTM i, f, c, o -> i, o, f, c; GRU z, r, h is the same order. */
const CELLS: Record<Cell, { op: string; gates: number; order: number[] }> = {
  SimpleRNN: { op: 'RNN', gates: 1, order: [0] },
  LSTM: { op: 'LSTM', gates: 4, order: [0, 3, 1, 2] },
  GRU: { op: 'GRU', gates: 3, order: [0, 1, 2] },
};

/** Activations the recurrent ops take (by ONNX name) that onnxruntime runs. */
const RECURRENT_ACTIVATIONS: Readonly<Record<string, string>> = {
  tanh: 'Tanh',
  relu: 'Relu',
  sigmoid: 'Sigmoid',
};

/** Tensors of one shape stacked along a new first axis. */
function stack(ts: readonly HostTensor[]): HostTensor {
  const data = new Float32Array(ts.reduce((a, t) => a + t.data.length, 0));
  let at = 0;
  for (const t of ts) {
    data.set(t.data, at);
    at += t.data.length;
  }
  return { shape: [ts.length, ...ts[0]!.shape], data };
}

function recurrent(cell: Cell): OnnxLayer {
  return (b, n, x, w) => {
    const { op, gates, order } = CELLS[cell];
    const units = num(n, 'units');
    const fn = str(n, 'activation');
    const act = RECURRENT_ACTIVATIONS[fn];
    if (!act)
      return refuse(
        n,
        `the activation ${fn} has no form in ONNX's ${op} op that onnxruntime runs; use tanh, relu or sigmoid.`,
      );
    const dirs = bool(n, 'bidirectional') ? ['forward_', 'backward_'] : [''];
    const blocks = (t: HostTensor) => reorderBlocks(t, gates, order);
    const W = stack(dirs.map((p) => blocks(transpose2d(w(`${p}kernel`)))));
    const R = stack(dirs.map((p) => blocks(transpose2d(w(`${p}recurrent_kernel`)))));
    // ONNX adds an input bias and a recurrent bias; TF.js has only the first, except a GRU with
    // reset after (Keras's bias [2, 3u]: input row, recurrent row).
    const resetAfter = cell === 'GRU' && bool(n, 'resetAfter');
    const B = stack(
      dirs.map((p) => {
        const bias = w(`${p}bias`);
        const [input, recurrent] = resetAfter ? rows(bias) : [bias];
        const both = new Float32Array(input!.data.length * 2);
        both.set(blocks(input!).data);
        if (recurrent) both.set(blocks(recurrent).data, input!.data.length);
        return { shape: [both.length], data: both };
      }),
    );
    // The gates' activation: the sigmoid, or TF.js's hard sigmoid (ONNX's HardSigmoid, alpha 0.2, beta 0.5).
    const hard = cell !== 'SimpleRNN' && str(n, 'recurrentActivation') === 'hardSigmoid';
    const gate = hard ? 'HardSigmoid' : 'Sigmoid';
    const perDirection = cell === 'LSTM' ? [gate, act, act] : cell === 'GRU' ? [gate, act] : [act];
    const activations = dirs.flatMap(() => perDirection);
    const seq = bool(n, 'returnSequences');
    const time = b.op('Transpose', [x0(x)], { perm: intList([1, 0, 2]) }); // [time, batch, features]
    const outs = b.opN(
      op,
      [time, b.weight('W', W), b.weight('R', R), b.weight('B', B)],
      {
        hidden_size: int(units),
        direction: { s: dirs.length === 2 ? 'bidirectional' : 'forward' },
        activations: { strings: activations },
        // One value per activation: read by position over all activations or only over those that
        // take one (readers differ), every HardSigmoid gets 0.2 and 0.5 (also ONNX's defaults).
        ...(hard
          ? {
              activation_alpha: { floats: activations.map(() => 0.2) },
              activation_beta: { floats: activations.map(() => 0.5) },
            }
          : {}),
        ...(cell === 'GRU' ? { linear_before_reset: int(resetAfter ? 1 : 0) } : {}),
      },
      { outputs: seq ? ['Y'] : [null, 'Y_h'], main: true },
    );
    const size = dirs.length * units; // directions side by side: forward, then backward
    if (seq) {
      const y = b.op('Transpose', [outs[0]!], { perm: intList([2, 0, 1, 3]) }); // [batch, time, dir, units]
      return b.op('Reshape', [y, b.int64s([0, 0, size])]);
    }
    const h = b.op('Transpose', [outs[1]!], { perm: intList([1, 0, 2]) }); // [batch, dir, units]
    return b.op('Reshape', [h, b.int64s([0, size])]);
  };
}

interface AttentionConfig {
  heads: number;
  keyDim: number;
  valueDim: number;
  bias: boolean;
  causal: boolean;
}

/**
 * softmax(q kᵀ / √keyDim + mask) v per head, heads concatenated and projected back: query [B, Tq, dq],
 * key [B, Tk, dk], value [B, Tk, dv] -> [B, Tq, dq]. Weights by catalog name (`query_kernel` [d, h, k]).
 */
function attention(
  b: OnnxBuilder,
  n: PlanNode,
  [query, key, value]: readonly [string, string, string],
  w: Weights,
  c: AttentionConfig,
): string {
  const h = c.heads;
  const project = (name: string, input: string, size: number, perm: number[]) => {
    const k = w(`${name}_kernel`);
    let y = b.op('MatMul', [input, b.weight(`${name}_kernel`, reshape(k, [k.shape[0]!, h * size]))]);
    if (c.bias) y = b.op('Add', [y, b.weight(`${name}_bias`, reshape(w(`${name}_bias`), [h * size]))]);
    const split = b.op('Reshape', [y, b.int64s([0, 0, h, size])]);
    return b.op('Transpose', [split], { perm: intList(perm) });
  };
  const q = b.op('Mul', [project('query', query, c.keyDim, [0, 2, 1, 3]), b.scalar(1 / Math.sqrt(c.keyDim))]);
  const kT = project('key', key, c.keyDim, [0, 2, 3, 1]); // [B, h, k, Tk]
  const v = project('value', value, c.valueDim, [0, 2, 1, 3]);
  let scores = b.opN('MatMul', [q, kT], {}, { main: true })[0]!; // [B, h, Tq, Tk]
  if (c.causal) {
    const tq = n.inputShapes[0]![1];
    const tk = n.inputShapes[1]?.[1] ?? tq;
    if (typeof tq !== 'number' || typeof tk !== 'number')
      return refuse(n, 'a causal mask needs fixed sequence lengths in the ONNX export.');
    const mask = Array.from({ length: tq * tk }, (_, i) => (i % tk > Math.floor(i / tk) ? -1e9 : 0));
    scores = b.op('Add', [scores, b.floats(mask, [tq, tk])]);
  }
  const weights = b.op('Softmax', [scores], { axis: int(-1) });
  const context = b.op('Transpose', [b.op('MatMul', [weights, v])], { perm: intList([0, 2, 1, 3]) });
  const merged = b.op('Reshape', [context, b.int64s([0, 0, h * c.valueDim])]);
  const o = w('attention_output_kernel'); // [h, v, dq]
  const out = b.op('MatMul', [
    merged,
    b.weight('attention_output_kernel', reshape(o, [h * c.valueDim, o.shape[2]!])),
  ]);
  return c.bias ? b.op('Add', [out, b.weight('attention_output_bias', w('attention_output_bias'))]) : out;
}

/** The engine's LayerNormalization epsilon inside the encoder block (LAYER_NORM_EPSILON). */
const BLOCK_EPSILON = 1e-5;

const encoderBlock: OnnxLayer = (b, n, x, w) => {
  const d = lastDim(n);
  const keyDim = num(n, 'keyDim');
  const cfg = { heads: num(n, 'numHeads'), keyDim, valueDim: keyDim, bias: true, causal: false };
  const norm = (i: 1 | 2, t: string) =>
    layerNorm(b, t, BLOCK_EPSILON, w(`norm${i}_gamma`), w(`norm${i}_beta`), d, `norm${i}_`);
  const attend = (t: string) => attention(b, n, [t, t, t], w, cfg);
  const ffn = (t: string) => {
    const dense = (i: 1 | 2, input: string) =>
      b.op('Add', [
        b.op('MatMul', [input, b.weight(`ffn${i}_kernel`, w(`ffn${i}_kernel`))]),
        b.weight(`ffn${i}_bias`, w(`ffn${i}_bias`)),
      ]);
    return dense(2, activate(b, n, dense(1, t), str(n, 'activation')));
  };
  if (str(n, 'norm') === 'pre') {
    const y = b.op('Add', [x0(x), attend(norm(1, x0(x)))]);
    return b.op('Add', [y, ffn(norm(2, y))]);
  }
  const y = norm(1, b.op('Add', [x0(x), attend(x0(x))]));
  return norm(2, b.op('Add', [y, ffn(y)]));
};

export const SEQUENCE_LAYERS: {
  readonly [K in Cell | 'MultiHeadAttention' | 'TransformerEncoderBlock' | 'PositionalEmbedding']: OnnxLayer;
} = {
  SimpleRNN: recurrent('SimpleRNN'),
  LSTM: recurrent('LSTM'),
  GRU: recurrent('GRU'),
  MultiHeadAttention: (b, n, x, w) => {
    const keyDim = num(n, 'keyDim');
    const query = x0(x);
    const key = x[1] ?? query;
    return attention(b, n, [query, key, x[2] ?? key], w, {
      heads: num(n, 'numHeads'),
      keyDim,
      valueDim: num(n, 'valueDim') || keyDim,
      bias: bool(n, 'useBias'),
      causal: bool(n, 'causal'),
    });
  },
  TransformerEncoderBlock: encoderBlock,
  PositionalEmbedding: (b, _n, x, w) => {
    // Token vectors plus the first T rows of the learned position table (T = the ids' length).
    const tokens = b.opN(
      'Gather',
      [b.weight('token_embeddings', w('token_embeddings')), x0(x)],
      {},
      {
        main: true,
      },
    )[0]!;
    const length = b.op('Shape', [x0(x)], { start: int(1), end: int(2) });
    const positions = b.op('Slice', [
      b.weight('position_embeddings', w('position_embeddings')),
      b.int64s([0]),
      length,
      b.int64s([0]),
    ]);
    return b.op('Add', [tokens, positions]);
  },
};
