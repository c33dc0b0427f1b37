/**
 * Sequence ops: ONNX's LSTM, GRU and RNN (Netloom's own Transpose wrappers and torch.onnx.export's
 * batch_first pattern, zero initial states, `out[:, -1, :]`) → LSTM, GRU, SimpleRNN with the gates
 * converted back to Keras's order and one bias; Gather → Embedding, or the last time step of a
 * recurrent layer, or a piece of a shape; Netloom's positional-embedding decomposition →
 * PositionalEmbedding.
 */
import type { ParamValue } from '../../shared/ir/schema';
import { reorderBlocks, transpose2d } from '../export/tensors';
import { type Ctx, type Layout, LAST, sameInts } from './onnxContext';
import { type Handler, weight } from './onnxLayers';
import { attr, type OnnxNode } from './onnxRead';
import type { HostWeight } from './types';

type Cell = 'LSTM' | 'GRU' | 'RNN';

/** ONNX gate blocks -> Keras's: LSTM i, o, f, c -> i, f, c, o; GRU z, r, h and RNN are the same. */
const CELLS: Record<
  Cell,
  { kind: 'LSTM' | 'GRU' | 'SimpleRNN'; gates: number; order: number[]; fns: number }
> = {
  LSTM: { kind: 'LSTM', gates: 4, order: [0, 2, 3, 1], fns: 3 },
  GRU: { kind: 'GRU', gates: 3, order: [0, 1, 2], fns: 2 },
  RNN: { kind: 'SimpleRNN', gates: 1, order: [0], fns: 1 },
};

const ACTS: Readonly<Record<string, string>> = { Tanh: 'tanh', Relu: 'relu', Sigmoid: 'sigmoid' };

/** Whether an optional initial state is absent or zero (a constant, or zeros of a computed shape). */
function zeroState(c: Ctx, v: string | undefined): boolean {
  if (!v) return true;
  const x = c.vals.get(v);
  return x?.t === 'zeros' || (x?.t === 'const' && !!x.c.float?.every((f) => f === 0));
}

/**
 * The cell's activation and the gates' (Sigmoid, or HardSigmoid with alpha 0.2 and beta 0.5: TF.js's
 * hard sigmoid), from ONNX's list (per direction: f, g, h for LSTM; f, g for GRU; f for RNN).
 */
function cellActivation(c: Ctx, n: OnnxNode, cell: Cell, dirs: number): { act: string; hard: boolean } {
  const defaults = { LSTM: ['Sigmoid', 'Tanh', 'Tanh'], GRU: ['Sigmoid', 'Tanh'], RNN: ['Tanh'] }[cell];
  const fns = attr.strs(n, 'activations') ?? Array.from({ length: dirs }, () => defaults).flat();
  const per = CELLS[cell].fns;
  const act = ACTS[fns[per - 1] ?? ''];
  const gate = cell === 'RNN' ? 'Sigmoid' : fns[0];
  const ok =
    fns.length === per * dirs &&
    act &&
    (gate === 'Sigmoid' || gate === 'HardSigmoid') &&
    fns.every((f, i) => (cell !== 'RNN' && i % per === 0 ? f === gate : ACTS[f] === act));
  // HardSigmoid's alpha and beta: absent (ONNX's defaults) or every value 0.2 and 0.5, so that any
  // reading of the lists (by position, or only the activations that take one) gives TF.js's.
  const all = (name: string, v: number) =>
    (n.attrs.get(name)?.floats ?? []).every((f) => f === Math.fround(v));
  const scales =
    gate === 'HardSigmoid'
      ? all('activation_alpha', 0.2) && all('activation_beta', 0.5)
      : !n.attrs.has('activation_alpha') && !n.attrs.has('activation_beta');
  if (!ok || !scales) return c.refuse(n, `activations [${fns.join(', ')}] have no Netloom form.`);
  return { act, hard: gate === 'HardSigmoid' };
}

function cellWeights(c: Ctx, n: OnnxNode, cell: Cell, dirs: number, units: number, resetAfter: boolean) {
  const { gates, order } = CELLS[cell];
  const W = weight(c, n, n.inputs[1], 'W', 3);
  const R = weight(c, n, n.inputs[2], 'R', 3);
  const B = n.inputs[3] ? weight(c, n, n.inputs[3], 'B', 2) : undefined;
  const size = gates * units;
  const inputs = W.shape[2]!;
  if (W.shape[0] !== dirs || W.shape[1] !== size || R.shape.join() !== [dirs, size, units].join())
    c.refuse(n, 'its W and R do not fit its hidden size.');
  if (B && B.shape.join() !== [dirs, 2 * size].join()) c.refuse(n, 'its B does not fit its hidden size.');
  const slice = (t: HostWeight, d: number, from: number, len: number, shape: number[]): HostWeight => ({
    shape,
    data: t.data.slice((d * t.data.length) / dirs + from, (d * t.data.length) / dirs + from + len),
  });
  const keras = (t: HostWeight) => transpose2d(reorderBlocks(t, gates, order)) as HostWeight;
  const out: Record<string, HostWeight> = {};
  for (let d = 0; d < dirs; d++) {
    const prefix = dirs === 2 ? (d === 0 ? 'forward_' : 'backward_') : '';
    out[`${prefix}kernel`] = keras(slice(W, d, 0, size * inputs, [size, inputs]));
    out[`${prefix}recurrent_kernel`] = keras(slice(R, d, 0, size * units, [size, units]));
    const wb = B ? slice(B, d, 0, size, [size]).data : new Float32Array(size);
    const rb = B ? slice(B, d, size, size, [size]).data : new Float32Array(size);
    if (resetAfter) {
      const both = new Float32Array(2 * size);
      both.set(wb);
      both.set(rb, size);
      out[`${prefix}bias`] = { shape: [2, size], data: both };
    } else
      out[`${prefix}bias`] = reorderBlocks(
        { shape: [size], data: wb.map((v, i) => v + rb[i]!) },
        gates,
        order,
      ) as HostWeight;
  }
  return out;
}

function recurrent(cell: Cell): Handler {
  return (c, n) => {
    const x = c.tensor(n, n.inputs[0]);
    if (x.layout.k !== 'time') c.refuse(n, 'its input is not a time-major view of a Netloom sequence.');
    const direction = attr.str(n, 'direction') ?? 'forward';
    if (direction !== 'forward' && direction !== 'bidirectional')
      c.refuse(n, `direction ${direction} is not supported.`);
    const dirs = direction === 'bidirectional' ? 2 : 1;
    const units = attr.int(n, 'hidden_size') ?? 0;
    if (!(units >= 1 && units <= 4096)) c.refuse(n, `hidden_size ${units} is not supported.`);
    if (
      n.inputs[4] ||
      n.inputs[7] ||
      n.attrs.has('clip') ||
      attr.int(n, 'input_forget') ||
      attr.int(n, 'layout')
    )
      c.refuse(n, 'sequence lengths, peepholes, clip, input_forget and layout 1 are not supported.');
    if (!zeroState(c, n.inputs[5]) || !zeroState(c, n.inputs[6]))
      c.refuse(n, 'a nonzero initial state is not supported (Netloom starts from zeros).');
    const resetAfter = cell === 'GRU' && attr.int(n, 'linear_before_reset') === 1;
    const { act: fn, hard } = cellActivation(c, n, cell, dirs);
    const [y, h, cState] = n.outputs;
    if (cState && c.uses(cState).length + (c.isOutput(cState) ? 1 : 0) > 0)
      c.refuse(n, 'its final cell state output is not supported.');
    const usesY = !!y && (c.uses(y).length > 0 || c.isOutput(y));
    const usesH = !!h && (c.uses(h).length > 0 || c.isOutput(h));
    if (usesY && usesH) c.refuse(n, 'both its sequence and its final state are used; Netloom gives one.');
    const params: Record<string, ParamValue> = {
      units,
      activation: fn,
      returnSequences: usesY,
      bidirectional: dirs === 2,
      ...(resetAfter ? { resetAfter: true } : {}),
      ...(hard ? { recurrentActivation: 'hardSigmoid' } : {}),
    };
    const weights = cellWeights(c, n, cell, dirs, units, resetAfter);
    const layout: Layout = usesY ? { k: 'rnnY', dirs } : { k: 'rnnH', dirs };
    const out = c.layer(n, CELLS[cell].kind, params, [[n.inputs[0]!, 'in']], weights, layout);
    c.set(usesY ? y : h, out);
  };
}

/**
 * torch's `out[:, -1, :]` (Gather of index -1 on the time axis) or `out[:, -1:, :]` (Slice, the step
 * axis kept): the last step of a recurrent layer's sequence is its returnSequences=false output.
 */
function lastStep(c: Ctx, n: OnnxNode, isLast: (steps: number | undefined) => boolean, layout: Layout): void {
  const x = c.tensor(n, n.inputs[0]);
  const layer = c.node(x.id);
  const steps = x.shape[1];
  const ok =
    x.layout.k === 'last' &&
    isLast(typeof steps === 'number' ? steps : undefined) &&
    layer &&
    ['LSTM', 'GRU', 'SimpleRNN'].includes(layer.kind) &&
    layer.params.returnSequences === true &&
    layer.params.bidirectional !== true &&
    c.exclusive(x.id, n.inputs[0]!, [n]);
  if (!ok) return c.refuse(n, 'only the last time step of a recurrent layer (out[:, -1]) is supported.');
  layer.params.returnSequences = false;
  c.set(n.outputs[0], { ...x, shape: c.reshaped(n, x.id), layout });
}

const isLastIndex = (i: number | undefined, steps: number | undefined) =>
  i === -1 || (steps !== undefined && i === steps - 1);

const slice: Handler = (c, n) => {
  const [starts, ends, axes, steps] = [1, 2, 3, 4].map((i) => c.ints(n.inputs[i]));
  const isLast = (t: number | undefined) =>
    starts?.length === 1 &&
    isLastIndex(starts[0], t) &&
    ends?.length === 1 &&
    (ends[0]! >= 2 ** 31 - 1 || (t !== undefined && ends[0]! >= t)) &&
    sameInts(axes, [1]) &&
    (steps === undefined || sameInts(steps, [1]));
  lastStep(c, n, isLast, { k: 'step' });
};

/** Netloom's PositionalEmbedding: Gather(tokens, ids) + Slice(positions, 0, Shape(ids)[1:2]). */
function positional(c: Ctx, n: OnnxNode, tokens: HostWeight): boolean {
  const ids = n.inputs[1]!;
  const add = c.only(n.outputs[0], 'Add');
  const slice = c.producer(add?.inputs.find((v) => v !== n.outputs[0]) ?? '');
  if (!add || slice?.op !== 'Slice' || c.only(slice.outputs[0]) !== add) return false;
  const shape = c.producer(slice.inputs[2] ?? '');
  const table = c.constOf(slice.inputs[0]);
  const ok =
    shape?.op === 'Shape' &&
    shape.inputs[0] === ids &&
    attr.int(shape, 'start') === 1 &&
    attr.int(shape, 'end') === 2 &&
    c.only(shape.outputs[0]) === slice &&
    c.ints(slice.inputs[1])?.join() === '0' &&
    c.ints(slice.inputs[3])?.join() === '0' &&
    slice.inputs.length === 4 &&
    table?.float &&
    table.dims.length === 2 &&
    table.dims[1] === tokens.shape[1];
  if (!ok) return false;
  for (const p of [shape, slice, add]) c.done.add(p.index);
  const params = { vocabSize: tokens.shape[0]!, maxLength: table.dims[0]!, embedDim: tokens.shape[1]! };
  const weights = {
    token_embeddings: tokens,
    position_embeddings: { shape: table.dims, data: table.float! },
  };
  c.set(add.outputs[0], c.layer(n, 'PositionalEmbedding', params, [[ids, 'in']], weights));
  return true;
}

const gather: Handler = (c, n) => {
  const data = c.vals.get(n.inputs[0] ?? '');
  const axis = attr.int(n, 'axis') ?? 0;
  if (data?.t === 'shape') {
    const i = c.ints(n.inputs[1]);
    const k = c.constOf(n.inputs[1]);
    const d = i?.length === 1 ? data.dims.at(i[0]!) : undefined;
    if (axis !== 0 || d === undefined || !k || k.dims.length > 1)
      return c.refuse(n, 'only one axis of a shape is followed.');
    return c.set(n.outputs[0], { t: 'shape', dims: [d], scalar: k.dims.length === 0 });
  }
  if (data?.t === 'tensor') {
    const index = c.constOf(n.inputs[1]);
    const scalar = index?.ints?.length === 1 && index.dims.length === 0 && axis === 1;
    return lastStep(c, n, (t) => scalar && isLastIndex(index.ints![0], t), LAST);
  }
  const table = weight(c, n, n.inputs[0], 'table', 2);
  const ids = c.tensor(n, n.inputs[1]);
  if (axis !== 0 || ids.dtype !== 'int32' || ids.shape.length !== 2 || ids.layout.k !== 'last')
    c.refuse(n, 'only a look-up of [batch, length] token ids in a table (an embedding) is supported.');
  if (positional(c, n, table)) return;
  const params = { inputDim: table.shape[0]!, outputDim: table.shape[1]! };
  c.set(n.outputs[0], c.layer(n, 'Embedding', params, [[n.inputs[1]!, 'in']], { embeddings: table }));
};

export const SEQUENCE_OPS: Record<string, Handler> = {
  LSTM: recurrent('LSTM'),
  GRU: recurrent('GRU'),
  RNN: recurrent('RNN'),
  Gather: gather,
  Slice: slice,
};
