/**
 * ONNX ops that become one Netloom layer each: Gemm/MatMul → Dense, Conv → Conv1D/Conv2D,
 * ConvTranspose → Conv2DTranspose, pools, global pools, normalisations and activations, with the
 * weights converted to the TF.js layout (Dense [in, out], conv kernels HWIO, ConvTranspose
 * [kh, kw, out, in]). A Dense reading a flattened channels-first tensor gets its rows permuted so that
 * it reads Netloom's channels-last flattening.
 */
import type { ParamValue } from '../../shared/ir/schema';
import { permute } from '../export/tensors';
import { type Ctx, LAST, type Layout, near, type TensorVal } from './onnxContext';
import { attr, type OnnxNode } from './onnxRead';
import type { HostWeight } from './types';

export type Handler = (c: Ctx, n: OnnxNode) => void;

const hw = (shape: number[], data: Float32Array): HostWeight => ({ shape, data });
const permuted = (w: HostWeight, perm: number[]): HostWeight => {
  const t = permute(w, perm);
  return hw(t.shape, t.data as Float32Array);
};

/** A float constant of rank `rank` (any rank when undefined), or a located refusal. */
export function weight(c: Ctx, n: OnnxNode, v: string | undefined, what: string, rank?: number): HostWeight {
  const k = c.constOf(v);
  if (!k?.float || (rank !== undefined && k.dims.length !== rank))
    return c.refuse(
      n,
      `its ${what} must be a float32 constant${rank === undefined ? '' : ` of rank ${rank}`}.`,
    );
  return hw(k.dims, k.float);
}

/** Rows of a Dense kernel that reads ONNX's C, H, W flattening, reordered for Netloom's H, W, C one. */
function rowsChannelsLast(k: HostWeight, dims: readonly number[]): HostWeight {
  const [ch, ...spatial] = dims;
  const positions = spatial.reduce((a, d) => a * d, 1);
  const units = k.shape[1]!;
  const out = new Float32Array(k.data.length);
  for (let ci = 0; ci < ch!; ci++)
    for (let p = 0; p < positions; p++)
      out.set(
        k.data.subarray((ci * positions + p) * units, (ci * positions + p + 1) * units),
        (p * ch! + ci) * units,
      );
  return hw(k.shape, out);
}

/** A Dense layer from a kernel [in, out] and an optional bias, on `x`. */
export function dense(c: Ctx, n: OnnxNode, x: string, kernel: HostWeight, bias?: Float32Array): TensorVal {
  const src = c.tensor(n, x);
  let k = kernel;
  const units = k.shape[1]!;
  if (bias && bias.length !== units)
    return c.refuse(n, `its bias has ${bias.length} values for ${units} outputs.`);
  if (src.layout.k === 'flatFirst') {
    if (src.layout.dims.reduce((a, d) => a * d, 1) !== k.shape[0])
      return c.refuse(n, 'its weight does not fit the flattened input.');
    k = rowsChannelsLast(k, src.layout.dims);
  } else if (src.layout.k !== 'last' && src.layout.k !== 'time')
    return c.refuse(
      n,
      `it multiplies a ${src.layout.k} tensor on its last axis, which Netloom cannot express.`,
    );
  const params = { units, activation: 'linear', useBias: !!bias };
  const weights = { kernel: k, ...(bias ? { bias: hw([units], bias) } : {}) };
  const layout = src.layout.k === 'time' ? src.layout : LAST;
  return c.layer(n, 'Dense', params, [[x, 'in']], weights, layout);
}

/** A bias for `units` outputs: a float constant of `units` values (any leading 1 axes). */
function biasOf(c: Ctx, n: OnnxNode, v: string | undefined, units: number): Float32Array | undefined {
  if (!v) return undefined;
  const b = weight(c, n, v, 'bias');
  if (b.data.length !== units || b.shape.at(-1) !== units)
    return c.refuse(n, `its bias has shape [${b.shape.join(', ')}] for ${units} outputs.`);
  return b.data;
}

const gemm: Handler = (c, n) => {
  if (c.vals.get(n.inputs[1] ?? '')?.t === 'tensor') return matMul(c, n);
  if (attr.int(n, 'transA')) c.refuse(n, 'transA is not supported.');
  if ((attr.float(n, 'alpha') ?? 1) !== 1 || (attr.float(n, 'beta') ?? 1) !== 1)
    c.refuse(n, 'alpha and beta other than 1 are not supported.');
  let k = weight(c, n, n.inputs[1], 'weight (B)', 2);
  if (attr.int(n, 'transB')) k = permuted(k, [1, 0]);
  c.set(n.outputs[0], dense(c, n, n.inputs[0]!, k, biasOf(c, n, n.inputs[2], k.shape[1]!)));
};

/** MatMul by a constant (and an Add of a constant bias after it, when only it reads the product). */
export const matMul: Handler = (c, n) => {
  if (n.inputs.every((v) => c.vals.get(v)?.t === 'tensor'))
    return c.unsupported.add(`${n.op} (of two tensors)`, n.name);
  const k = weight(c, n, n.inputs[1], 'weight (the second input)', 2);
  const add = c.only(n.outputs[0], 'Add');
  const other = add?.inputs.find((v) => v !== n.outputs[0]);
  const b = add && c.floats(other);
  if (add && b && b.length === k.shape[1] && c.constOf(other)!.dims.at(-1) === k.shape[1]) {
    c.done.add(add.index);
    c.set(add.outputs[0], dense(c, n, n.inputs[0]!, k, b));
  } else c.set(n.outputs[0], dense(c, n, n.inputs[0]!, k));
};

/** TensorFlow's padding from ONNX's: none is `valid`, SAME_UPPER or TF's own split of the pads is `same`. */
function padding(
  c: Ctx,
  n: OnnxNode,
  x: TensorVal,
  kernel: readonly number[],
  strides: readonly number[],
  dilations: readonly number[],
): 'valid' | 'same' {
  const auto = attr.str(n, 'auto_pad') ?? 'NOTSET';
  if (auto === 'VALID') return 'valid';
  if (auto === 'SAME_UPPER') return 'same';
  if (auto !== 'NOTSET' && auto !== '') return c.refuse(n, `auto_pad ${auto} has no Netloom padding.`);
  const pads = attr.ints(n, 'pads') ?? kernel.flatMap(() => [0, 0]);
  if (pads.length !== kernel.length * 2) return c.refuse(n, 'its pads do not match its kernel.');
  if (pads.every((p) => p === 0)) return 'valid';
  const spatial = x.shape.slice(1, -1);
  const want = spatial.map((len, i) => {
    if (typeof len !== 'number')
      return c.refuse(n, "padding needs fixed spatial sizes to be read as 'same'.");
    const span = (kernel[i]! - 1) * dilations[i]! + 1;
    const total = Math.max((Math.ceil(len / strides[i]!) - 1) * strides[i]! + span - len, 0);
    return [Math.floor(total / 2), total - Math.floor(total / 2)] as const;
  });
  if (want.every(([b, e], i) => pads[i] === b && pads[i + kernel.length] === e)) return 'same';
  return c.refuse(
    n,
    `pads [${pads.join(', ')}] are neither none nor TensorFlow's 'same' for this input; Netloom has no other padding.`,
  );
}

/** Kernel sizes, strides and dilations of a conv or pool, checked against the input's spatial rank. */
function window(c: Ctx, n: OnnxNode, x: TensorVal, kernel: number[]) {
  const r = x.shape.length - 2;
  if (x.layout.k !== 'first')
    c.refuse(n, 'its input is not channels first here (a layout Netloom cannot map).');
  if (r !== 1 && r !== 2) c.refuse(n, `${r} spatial axes are not supported (1 or 2).`);
  const ones = kernel.map(() => 1);
  const strides = attr.ints(n, 'strides') ?? ones;
  const dilations = attr.ints(n, 'dilations') ?? ones;
  if (kernel.length !== r || strides.length !== r || dilations.length !== r)
    c.refuse(n, 'its kernel, strides or dilations do not match its input.');
  if ((attr.int(n, 'group') ?? 1) !== 1) c.refuse(n, 'grouped convolutions are not supported.');
  return { r, strides, dilations, padding: padding(c, n, x, kernel, strides, dilations) };
}

const conv: Handler = (c, n) => {
  const x = c.tensor(n, n.inputs[0]);
  const w = weight(c, n, n.inputs[1], 'weight');
  const kernel = w.shape.slice(2);
  const { r, strides, dilations, padding: pad } = window(c, n, x, attr.ints(n, 'kernel_shape') ?? kernel);
  if (w.shape.length !== r + 2 || w.shape[1] !== x.shape.at(-1))
    c.refuse(n, `its weight [${w.shape.join(', ')}] does not fit its input.`);
  const bias = biasOf(c, n, n.inputs[2], w.shape[0]!);
  const params: Record<string, ParamValue> = {
    filters: w.shape[0]!,
    kernelSize: kernel,
    strides,
    padding: pad,
    dilationRate: dilations,
    activation: 'linear',
    useBias: !!bias,
  };
  const weights = {
    kernel: permuted(w, r === 1 ? [2, 1, 0] : [2, 3, 1, 0]),
    ...(bias ? { bias: hw([w.shape[0]!], bias) } : {}),
  };
  const kind = r === 1 ? 'Conv1D' : 'Conv2D';
  c.set(n.outputs[0], c.layer(n, kind, params, [[n.inputs[0]!, 'in']], weights, x.layout));
};

const convTranspose: Handler = (c, n) => {
  const x = c.tensor(n, n.inputs[0]);
  const w = weight(c, n, n.inputs[1], 'weight', 4);
  const kernel = w.shape.slice(2);
  const ones = kernel.map(() => 1);
  if (x.layout.k !== 'first' || x.shape.length !== 4)
    c.refuse(n, 'only a channels-first 2-D input is supported.');
  if ((attr.int(n, 'group') ?? 1) !== 1 || !(attr.ints(n, 'dilations') ?? ones).every((d) => d === 1))
    c.refuse(n, 'groups and dilations are not supported.');
  if (n.attrs.has('output_shape') || (attr.str(n, 'auto_pad') ?? 'NOTSET') !== 'NOTSET')
    c.refuse(n, 'output_shape and auto_pad are not supported.');
  const strides = attr.ints(n, 'strides') ?? ones;
  const pads = attr.ints(n, 'pads') ?? [0, 0, 0, 0];
  const outPad = attr.ints(n, 'output_padding') ?? [0, 0];
  const extra = kernel.map((k, i) => Math.max(strides[i]! - k, 0));
  const begin = kernel.map((k, i) => Math.floor(Math.max(k - strides[i]!, 0) / 2));
  const end = kernel.map((k, i) => Math.max(k - strides[i]!, 0) - begin[i]!);
  const same = [...begin, ...end].every((p, i) => pads[i] === p);
  const valid = pads.every((p) => p === 0);
  if (!extra.every((e, i) => outPad[i] === e) || (!same && !valid) || strides.length !== 2)
    c.refuse(n, 'its pads and output padding are not those of TensorFlow valid or same padding.');
  const bias = biasOf(c, n, n.inputs[2], w.shape[1]!);
  const params = {
    filters: w.shape[1]!,
    kernelSize: kernel,
    strides,
    padding: valid ? 'valid' : 'same',
    activation: 'linear',
    useBias: !!bias,
  };
  const weights = { kernel: permuted(w, [2, 3, 1, 0]), ...(bias ? { bias: hw([w.shape[1]!], bias) } : {}) };
  c.set(n.outputs[0], c.layer(n, 'Conv2DTranspose', params, [[n.inputs[0]!, 'in']], weights, x.layout));
};

function pool(type: 'Max' | 'Avg'): Handler {
  return (c, n) => {
    const x = c.tensor(n, n.inputs[0]);
    const size = attr.ints(n, 'kernel_shape') ?? [];
    const { r, strides, dilations, padding: pad } = window(c, n, x, size);
    if (attr.int(n, 'ceil_mode') || !dilations.every((d) => d === 1) || attr.int(n, 'storage_order'))
      c.refuse(n, 'ceil_mode, dilations and storage_order are not supported.');
    if (n.outputs[1]) c.refuse(n, 'its indices output is not supported.');
    if (type === 'Avg' && pad === 'same' && attr.int(n, 'count_include_pad'))
      c.refuse(n, 'count_include_pad averages padding, which TensorFlow does not.');
    const kind = r === 1 ? (`${type}Pool1D` as const) : (`${type}Pool2D` as const);
    const params = { poolSize: size, strides, padding: pad };
    c.set(n.outputs[0], c.layer(n, kind, params, [[n.inputs[0]!, 'in']], undefined, x.layout));
  };
}

function globalPool(c: Ctx, n: OnnxNode, type: 'Max' | 'Avg', keep: boolean) {
  const x = c.tensor(n, n.inputs[0]);
  const r = x.shape.length - 2;
  if (r !== 1 && r !== 2) c.refuse(n, `${r} spatial axes are not supported.`);
  const layout: Layout = keep ? { k: 'pooled', spatial: r } : LAST;
  c.set(
    n.outputs[0],
    c.layer(
      n,
      r === 1 ? (`Global${type}Pool1D` as const) : (`Global${type}Pool2D` as const),
      {},
      [[n.inputs[0]!, 'in']],
      undefined,
      layout,
    ),
  );
}

const reduce =
  (type: 'Max' | 'Avg'): Handler =>
  (c, n) => {
    const x = c.tensor(n, n.inputs[0]);
    const r = x.shape.length;
    const axes = (attr.ints(n, 'axes') ?? c.ints(n.inputs[1]) ?? []).map((a) => (a < 0 ? a + r : a)).sort();
    const keep = (attr.int(n, 'keepdims') ?? 1) === 1;
    const first = Array.from({ length: r - 2 }, (_, i) => i + 2);
    const last = Array.from({ length: r - 2 }, (_, i) => i + 1);
    const ok =
      (x.layout.k === 'first' && axes.join() === first.join()) ||
      (x.layout.k === 'last' && !keep && axes.join() === last.join());
    if (!ok || r < 3) c.refuse(n, 'only a reduction over all spatial axes (a global pool) is supported.');
    globalPool(c, n, type, keep);
  };

const batchNorm: Handler = (c, n) => {
  const x = c.tensor(n, n.inputs[0]);
  if (!(x.layout.k === 'first' || (x.layout.k === 'last' && x.shape.length === 2)))
    c.refuse(n, 'it normalises an axis that is not the channels of a channels-last tensor in Netloom.');
  if (attr.int(n, 'training_mode') || n.outputs.slice(1).some(Boolean))
    c.refuse(n, 'training mode is not supported.');
  const [gamma, beta, mean, variance] = [1, 2, 3, 4].map((i) => weight(c, n, n.inputs[i], 'statistics', 1));
  const params = { epsilon: attr.float(n, 'epsilon') ?? 1e-5, center: true, scale: true };
  const weights = { gamma: gamma!, beta: beta!, moving_mean: mean!, moving_variance: variance! };
  c.set(n.outputs[0], c.layer(n, 'BatchNormalization', params, [[n.inputs[0]!, 'in']], weights, x.layout));
};

const layerNorm: Handler = (c, n) => {
  const x = c.tensor(n, n.inputs[0]);
  const axis = attr.int(n, 'axis') ?? -1;
  if ((axis !== -1 && axis !== x.shape.length - 1) || (x.layout.k !== 'last' && x.layout.k !== 'time'))
    c.refuse(n, 'only a normalisation over the last (features) axis is supported.');
  if (n.outputs.slice(1).some(Boolean)) c.refuse(n, 'its mean and deviation outputs are not supported.');
  const gamma = weight(c, n, n.inputs[1], 'scale', 1);
  const beta = n.inputs[2] ? weight(c, n, n.inputs[2], 'bias', 1) : undefined;
  const params = { epsilon: attr.float(n, 'epsilon') ?? 1e-5, center: !!beta, scale: true };
  const weights = { gamma, ...(beta ? { beta } : {}) };
  c.set(n.outputs[0], c.layer(n, 'LayerNormalization', params, [[n.inputs[0]!, 'in']], weights, x.layout));
};

const FUSABLE = new Set(['Dense', 'Conv1D', 'Conv2D', 'Conv2DTranspose']);

/** An activation: fused into the Dense/Conv before it when only it reads that layer, else a layer. */
export function activation(
  c: Ctx,
  n: OnnxNode,
  x: string,
  out: string | undefined,
  fn: string,
  alpha?: number,
  pattern: readonly OnnxNode[] = [n],
) {
  const src = c.tensor(n, x);
  const prev = c.node(src.id);
  const fusable = fn !== 'leakyRelu' && prev && FUSABLE.has(prev.kind) && prev.params.activation === 'linear';
  if (prev && fusable && c.exclusive(src.id, x, pattern)) {
    prev.params.activation = fn;
    c.set(out, src);
    return;
  }
  const params = { fn, ...(alpha === undefined ? {} : { alpha }) };
  c.set(out, c.layer(n, 'Activation', params, [[x, 'in']], undefined, src.layout));
}

const unary =
  (fn: string): Handler =>
  (c, n) =>
    activation(c, n, n.inputs[0]!, n.outputs[0], fn);

export const LAYER_OPS: Record<string, Handler> = {
  Gemm: gemm,
  Conv: conv,
  ConvTranspose: convTranspose,
  MaxPool: pool('Max'),
  AveragePool: pool('Avg'),
  GlobalAveragePool: (c, n) => {
    if (c.tensor(n, n.inputs[0]).layout.k !== 'first')
      c.refuse(n, 'its input is not an N, C, … image or sequence.');
    globalPool(c, n, 'Avg', true);
  },
  GlobalMaxPool: (c, n) => {
    if (c.tensor(n, n.inputs[0]).layout.k !== 'first')
      c.refuse(n, 'its input is not an N, C, … image or sequence.');
    globalPool(c, n, 'Max', true);
  },
  ReduceMean: reduce('Avg'),
  ReduceMax: reduce('Max'),
  BatchNormalization: batchNorm,
  LayerNormalization: layerNorm,
  Relu: unary('relu'),
  Tanh: unary('tanh'),
  Softplus: unary('softplus'),
  // Opset 20's Gelu op; its tanh approximation is not the catalog's (exact) GELU.
  Gelu: (c, n) => {
    if ((attr.str(n, 'approximate') ?? 'none') !== 'none')
      c.refuse(n, "only the exact GELU (approximate 'none').");
    activation(c, n, n.inputs[0]!, n.outputs[0], 'gelu');
  },
  Elu: (c, n) => {
    if (!near(attr.float(n, 'alpha') ?? 1, 1)) c.refuse(n, 'only alpha 1 (as Keras) is supported.');
    activation(c, n, n.inputs[0]!, n.outputs[0], 'elu');
  },
  Selu: (c, n) => {
    if (!near(attr.float(n, 'alpha') ?? 1.67326, 1.67326) || !near(attr.float(n, 'gamma') ?? 1.0507, 1.0507))
      c.refuse(n, "only SELU's standard alpha and gamma are supported.");
    activation(c, n, n.inputs[0]!, n.outputs[0], 'selu');
  },
  LeakyRelu: (c, n) => {
    const alpha = attr.float(n, 'alpha') ?? 0.01;
    if (!(alpha >= 0 && alpha <= 10)) c.refuse(n, `alpha ${alpha} is outside 0 to 10.`);
    activation(c, n, n.inputs[0]!, n.outputs[0], 'leakyRelu', alpha);
  },
  Softmax: (c, n) => {
    const x = c.tensor(n, n.inputs[0]);
    const r = x.shape.length;
    // Before opset 13 the default axis is 1 and the input is flattened to 2-D from the axis on.
    const axis = attr.int(n, 'axis') ?? (c.g.opset < 13 ? 1 : -1);
    const lastAxis = axis === -1 || axis === r - 1;
    // Layouts whose last ONNX axis is Netloom's last axis (a flattened N, C, H, W only permutes it).
    const same = ['last', 'time', 'step', 'flatFirst'].includes(x.layout.k);
    if (!lastAxis || !same) c.refuse(n, 'only a softmax over the last (features) axis is supported.');
    activation(c, n, n.inputs[0]!, n.outputs[0], 'softmax');
  },
};
