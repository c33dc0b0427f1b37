/**
 * Every layer kind of the catalog in ONNX (opset 17): the ops it becomes and how its trained TF.js
 * weights become initializers. The maths mirrors the PyTorch export (torchLayers.ts, pyruntime.ts),
 * which is verified against the engine. Tensors keep Netloom's layout (channels last, sequences
 * [batch, time, features]); a layer whose ONNX op wants channels first (Conv, pools) transposes in
 * and back itself. An exhaustive map: a kind added to the catalog and forgotten here does not compile.
 */
import type { LayerKind } from '../../shared/layers/index';
import { type Attr, int, intList, type OnnxBuilder } from './onnxGraph';
import { activate, layerNorm, type OnnxLayer, refuse, type Weights, x0 } from './onnxOps';
import { SEQUENCE_LAYERS } from './onnxSequence';
import { bool, ints, num, type PlanNode, str } from './plan';
import { permute } from './tensors';

/** Rank of a node's i-th input, batch included. */
const rank = (n: PlanNode, i = 0) => n.inputShapes[i]!.length;

/** Channels last -> first and back, for a tensor of rank r. */
const toFirst = (r: number) => [0, r - 1, ...Array.from({ length: r - 2 }, (_, i) => i + 1)];
const toLast = (r: number) => [0, ...Array.from({ length: r - 2 }, (_, i) => i + 2), 1];

/**
 * TensorFlow's padding as ONNX `pads` (begin values, then end values), from the fixed spatial sizes;
 * `same` puts an odd extra after, as SAME_UPPER, but never pads by a negative amount.
 */
function padding(
  n: PlanNode,
  kernel: readonly number[],
  strides: readonly number[],
  dilation: readonly number[],
): Record<string, Attr> {
  if (str(n, 'padding') !== 'same') return { pads: intList(kernel.flatMap(() => [0, 0])) };
  const spatial = n.inputShapes[0]!.slice(1, -1);
  if (!spatial.every((d): d is number => typeof d === 'number')) return { auto_pad: { s: 'SAME_UPPER' } };
  const begin: number[] = [];
  const end: number[] = [];
  spatial.forEach((len, i) => {
    const span = (kernel[i]! - 1) * dilation[i]! + 1;
    const out = Math.ceil(len / strides[i]!);
    const total = Math.max((out - 1) * strides[i]! + span - len, 0);
    begin.push(Math.floor(total / 2));
    end.push(total - Math.floor(total / 2));
  });
  return { pads: intList([...begin, ...end]) };
}

/** Runs `inner` on the input moved to channels first, and moves its result back. */
function channelsFirst(b: OnnxBuilder, n: PlanNode, x: string, inner: (xf: string) => string): string {
  const r = rank(n);
  const xf = b.op('Transpose', [x], { perm: intList(toFirst(r)) });
  return b.op('Transpose', [inner(xf)], { perm: intList(toLast(r)) });
}

function conv(b: OnnxBuilder, n: PlanNode, x: readonly string[], w: Weights): string {
  const r = rank(n);
  const kernel = ints(n, 'kernelSize');
  const strides = ints(n, 'strides');
  const dilation = ints(n, 'dilationRate');
  // TF.js kernels are [k, in, out] / HWIO; ONNX's are [out, in, k] / OIHW.
  const weight = b.weight('kernel', permute(w('kernel'), r === 3 ? [2, 1, 0] : [3, 2, 0, 1]));
  const inputs = [weight, ...(bool(n, 'useBias') ? [b.weight('bias', w('bias'))] : [])];
  const y = channelsFirst(
    b,
    n,
    x0(x),
    (xf) =>
      b.opN(
        'Conv',
        [xf, ...inputs],
        {
          kernel_shape: intList(kernel),
          strides: intList(strides),
          dilations: intList(dilation),
          ...padding(n, kernel, strides, dilation),
        },
        { main: true },
      )[0]!,
  );
  return activate(b, n, y, str(n, 'activation'));
}

function convTranspose(b: OnnxBuilder, n: PlanNode, x: readonly string[], w: Weights): string {
  const kernel = ints(n, 'kernelSize');
  const strides = ints(n, 'strides');
  // TensorFlow's output size: 'same' is input × strides; 'valid' adds max(kernel - strides, 0).
  const same = str(n, 'padding') === 'same';
  const begin = kernel.map((k, i) => (same ? Math.floor(Math.max(k - strides[i]!, 0) / 2) : 0));
  const end = kernel.map((k, i) => (same ? Math.max(k - strides[i]!, 0) - begin[i]! : 0));
  const outputPadding = kernel.map((k, i) => Math.max(strides[i]! - k, 0));
  // TF.js [kh, kw, out, in] (HWOI) -> ONNX ConvTranspose [in, out, kh, kw].
  const weight = b.weight('kernel', permute(w('kernel'), [3, 2, 0, 1]));
  const inputs = [weight, ...(bool(n, 'useBias') ? [b.weight('bias', w('bias'))] : [])];
  const y = channelsFirst(
    b,
    n,
    x0(x),
    (xf) =>
      b.opN(
        'ConvTranspose',
        [xf, ...inputs],
        {
          kernel_shape: intList(kernel),
          strides: intList(strides),
          pads: intList([...begin, ...end]),
          output_padding: intList(outputPadding),
        },
        { main: true },
      )[0]!,
  );
  return activate(b, n, y, str(n, 'activation'));
}

function pool(type: 'MaxPool' | 'AveragePool'): OnnxLayer {
  return (b, n, x) => {
    const size = ints(n, 'poolSize');
    const strides = ints(n, 'strides');
    const ones = size.map(() => 1);
    // AveragePool's default count_include_pad=0 averages the real values only, as TensorFlow.
    return channelsFirst(
      b,
      n,
      x0(x),
      (xf) =>
        b.opN(
          type,
          [xf],
          { kernel_shape: intList(size), strides: intList(strides), ...padding(n, size, strides, ones) },
          { main: true },
        )[0]!,
    );
  };
}

const reduce =
  (type: 'ReduceMean' | 'ReduceMax', axes: number[]): OnnxLayer =>
  (b, _n, x) =>
    b.op(type, [x0(x)], { axes: intList(axes), keepdims: int(0) }, true);

function dense(b: OnnxBuilder, n: PlanNode, x: readonly string[], w: Weights): string {
  const kernel = b.weight('kernel', w('kernel')); // Keras [in, out]
  const bias = bool(n, 'useBias') ? b.weight('bias', w('bias')) : null;
  let y: string;
  if (rank(n) === 2) y = b.op('Gemm', [x0(x), kernel, ...(bias ? [bias] : [])], {}, true);
  else {
    y = b.op('MatMul', [x0(x), kernel], {}, true);
    if (bias) y = b.op('Add', [y, bias]);
  }
  return activate(b, n, y, str(n, 'activation'));
}

/** BatchNormalization at inference, folded per channel (last axis): x · a + c. */
function batchNorm(b: OnnxBuilder, n: PlanNode, x: readonly string[], w: Weights): string {
  const mean = w('moving_mean').data;
  const variance = w('moving_variance').data;
  const gamma = bool(n, 'scale') ? w('gamma').data : null;
  const beta = bool(n, 'center') ? w('beta').data : null;
  const eps = num(n, 'epsilon');
  const a = Float32Array.from(mean, (_, i) => (gamma ? gamma[i]! : 1) / Math.sqrt(variance[i]! + eps));
  const c = Float32Array.from(mean, (m, i) => (beta ? beta[i]! : 0) - m * a[i]!);
  const y = b.op('Mul', [x0(x), b.weight('scale', { shape: [a.length], data: a })], {}, true);
  return b.op('Add', [y, b.weight('shift', { shape: [c.length], data: c })]);
}

/** Folds a merge op over its inputs. */
const merge =
  (type: 'Add' | 'Mul'): OnnxLayer =>
  (b, _n, x) =>
    x.slice(1).reduce((acc, v, i) => b.op(type, [acc, v], {}, i === 0), x0(x));

export const ONNX_LAYERS: { readonly [K in LayerKind]: OnnxLayer } = {
  Input: (_b, _n, x) => x0(x),
  Output: (b, _n, x) => b.op('Identity', [x0(x)], {}, true),
  Dense: dense,
  Activation: (b, n, x) => {
    const y = activate(b, n, x0(x), str(n, 'fn'), num(n, 'alpha'));
    return y === x0(x) ? b.op('Identity', [y], {}, true) : y;
  },
  Dropout: (b, _n, x) => b.op('Identity', [x0(x)], {}, true), // inference: no dropout
  Flatten: (b, _n, x) => b.op('Flatten', [x0(x)], { axis: int(1) }, true),
  Reshape: (b, n, x) => {
    const target = (n.config.targetShape as readonly (number | null)[]).map((d) => d ?? -1);
    return b.op('Reshape', [x0(x), b.int64s([0, ...target])], {}, true);
  },
  Embedding: (b, _n, x, w) => b.op('Gather', [b.weight('embeddings', w('embeddings')), x0(x)], {}, true),
  Conv1D: conv,
  Conv2D: conv,
  Conv2DTranspose: convTranspose,
  MaxPool1D: pool('MaxPool'),
  MaxPool2D: pool('MaxPool'),
  AvgPool1D: pool('AveragePool'),
  AvgPool2D: pool('AveragePool'),
  GlobalAvgPool1D: reduce('ReduceMean', [1]),
  GlobalAvgPool2D: reduce('ReduceMean', [1, 2]),
  GlobalMaxPool1D: reduce('ReduceMax', [1]),
  GlobalMaxPool2D: reduce('ReduceMax', [1, 2]),
  BatchNormalization: batchNorm,
  LayerNormalization: (b, n, x, w) => {
    const d = n.inputShapes[0]!.at(-1);
    if (typeof d !== 'number') return refuse(n, 'the last axis of its input is not fixed.');
    const gamma = bool(n, 'scale') ? w('gamma') : null;
    const beta = bool(n, 'center') ? w('beta') : null;
    return layerNorm(b, x0(x), num(n, 'epsilon'), gamma, beta, d);
  },
  ...SEQUENCE_LAYERS,
  Add: merge('Add'),
  Multiply: merge('Mul'),
  Concatenate: (b, n, x) => b.op('Concat', x, { axis: int(num(n, 'axis')) }, true),
};
