/**
 * ONNX ops that move axes or compute shapes: Transpose, Reshape, Flatten, Squeeze and Unsqueeze mostly
 * change how an ONNX value relates to its Netloom tensor (its layout) and make no layer; Shape,
 * Gather on a shape, Concat of shapes and ConstantOfShape are followed symbolically (the zero initial
 * states torch writes). Identity and Dropout are aliases.
 */
import type { Dim } from '../../shared/layers/shape';
import { type Ctx, fixed, LAST, type Layout, sameInts, type TensorVal, type Val } from './onnxContext';
import type { Handler } from './onnxLayers';
import { attr, type OnnxNode } from './onnxRead';

const toFirst = (r: number) => [0, r - 1, ...Array.from({ length: r - 2 }, (_, i) => i + 1)];
const toLast = (r: number) => [0, ...Array.from({ length: r - 2 }, (_, i) => i + 2), 1];

const alias = (c: Ctx, n: OnnxNode, x: TensorVal, layout: Layout) => c.set(n.outputs[0], { ...x, layout });

/** The layout a Transpose by `perm` gives a value of layout `from` and rank r, if Netloom can follow it. */
function transposed(from: Layout, r: number, perm: number[]): Layout | undefined {
  const is = (p: number[]) => sameInts(perm, p);
  if (is(Array.from({ length: r }, (_, i) => i))) return from;
  switch (from.k) {
    case 'last':
      if (r >= 3 && is(toFirst(r))) return { k: 'first' };
      return r === 3 && is([1, 0, 2]) ? { k: 'time' } : undefined;
    case 'first':
      return r >= 3 && is(toLast(r)) ? LAST : undefined;
    case 'time':
      return is([1, 0, 2]) ? LAST : undefined;
    case 'rnnY':
      if (is([0, 2, 1, 3])) return { k: 'rnnYtb', dirs: from.dirs };
      return is([2, 0, 1, 3]) ? { k: 'rnnYbt', dirs: from.dirs } : undefined;
    case 'rnnH':
      return is([1, 0, 2]) ? { k: 'rnnHb', dirs: from.dirs } : undefined;
    default:
      return undefined;
  }
}

/** The rank of the ONNX value a tensor value stands for. */
function onnxRank(x: TensorVal): number {
  const r = x.shape.length;
  switch (x.layout.k) {
    case 'rnnY':
    case 'rnnYbt':
    case 'rnnYtb':
      return 4;
    case 'rnnH':
    case 'rnnHb':
      return 3;
    case 'pooled':
      return x.layout.spatial + 2;
    case 'step':
      return 3;
    default:
      return r;
  }
}

const transpose: Handler = (c, n) => {
  const x = c.tensor(n, n.inputs[0]);
  const r = onnxRank(x);
  const perm = attr.ints(n, 'perm') ?? Array.from({ length: r }, (_, i) => r - 1 - i);
  const layout = transposed(x.layout, r, perm);
  if (!layout)
    return c.refuse(n, `a transpose by [${perm.join(', ')}] of a ${x.layout.k} tensor has no Netloom form.`);
  alias(c, n, x, layout);
};

/** A flattening of `x` to [batch, features]: a Flatten layer, or an alias when nothing moves. */
function flatten(c: Ctx, n: OnnxNode, x: TensorVal) {
  const k = x.layout.k;
  if (k === 'pooled' || k === 'step' || k === 'flatFirst' || (k === 'last' && x.shape.length === 2))
    return alias(c, n, x, k === 'flatFirst' ? x.layout : LAST);
  if (k !== 'last' && k !== 'first') return c.refuse(n, `flattening a ${k} tensor has no Netloom form.`);
  const dims = fixed(x.shape);
  if (!dims) return c.refuse(n, 'flattening needs fixed sizes.');
  const layout: Layout =
    k === 'first' ? { k: 'flatFirst', dims: [dims.at(-1)!, ...dims.slice(0, -1)] } : LAST;
  c.set(n.outputs[0], c.layer(n, 'Flatten', {}, [[n.inputs[0]!, 'in']], undefined, layout));
}

const flattenOp: Handler = (c, n) => {
  if ((attr.int(n, 'axis') ?? 1) !== 1) c.refuse(n, 'only a flattening after the batch axis is supported.');
  flatten(c, n, c.tensor(n, n.inputs[0]));
};

/** A Reshape's target: a constant, or a computed shape whose first dim is the batch (torch's x.view(x.size(0), -1)). */
function targetShape(c: Ctx, v: string | undefined): number[] | undefined {
  const known = c.ints(v);
  if (known) return known;
  const s = c.vals.get(v ?? '');
  if (s?.t !== 'shape' || s.scalar || typeof s.dims[0] !== 'string') return undefined;
  const rest = s.dims.slice(1);
  return rest.every((d): d is number => typeof d === 'number') ? [0, ...rest] : undefined;
}

const reshape: Handler = (c, n) => {
  const x = c.tensor(n, n.inputs[0]);
  const target = targetShape(c, n.inputs[1]);
  if (!target) return c.refuse(n, 'its shape must be a constant (or the batch size and constants).');
  if (attr.int(n, 'allowzero')) c.refuse(n, 'allowzero is not supported.');
  const k = x.layout.k;
  const width = x.shape.at(-1);
  const merged = (t: number[]) => sameInts(target, t) || sameInts(target, [...t.slice(0, -1), -1]);
  if ((k === 'rnnYbt' && merged([0, 0, width as number])) || (k === 'rnnHb' && merged([0, width as number])))
    return alias(c, n, x, LAST);
  if (k === 'rnnYtb' && merged([0, 0, width as number])) return alias(c, n, x, { k: 'time' });
  const [batch, ...rest] = target;
  if (batch !== 0 && batch !== -1) return c.refuse(n, 'the batch axis must be kept (0 or -1 first).');
  if (k === 'pooled' || k === 'step' || k === 'first' || k === 'flatFirst') {
    const size = fixed(x.shape)?.reduce((a, d) => a * d, 1);
    if (rest.length === 1 && (rest[0] === -1 || rest[0] === size)) return flatten(c, n, x);
    return c.refuse(n, `reshaping a ${k} tensor other than flattening it has no Netloom form.`);
  }
  if (k !== 'last') return c.refuse(n, `reshaping a ${k} tensor has no Netloom form.`);
  if (batch === -1 && rest.includes(-1)) return c.refuse(n, 'the shape infers two axes.');
  const shape = rest.map((d, i) => (d === 0 ? x.shape[i + 1] : d));
  if (!shape.every((d): d is number => typeof d === 'number' && (d > 0 || d === -1)))
    return c.refuse(n, `the target shape [${target.join(', ')}] is not fixed.`);
  if (sameInts(shape, fixed(x.shape) ?? [])) return alias(c, n, x, LAST);
  c.set(n.outputs[0], c.layer(n, 'Reshape', { targetShape: shape }, [[n.inputs[0]!, 'in']]));
};

const squeeze: Handler = (c, n) => {
  const v = c.vals.get(n.inputs[0] ?? '');
  const axes = c.ints(n.inputs[1]) ?? attr.ints(n, 'axes');
  if (v?.t === 'shape' && v.dims.length === 1 && (!axes || sameInts(axes, [0])))
    return c.set(n.outputs[0], { ...v, scalar: true });
  const x = c.tensor(n, n.inputs[0]);
  const k = x.layout.k;
  const one = 'dirs' in x.layout && x.layout.dirs === 1;
  if (k === 'rnnY' && one && sameInts(axes, [1])) return alias(c, n, x, { k: 'time' });
  if (k === 'rnnH' && one && sameInts(axes, [0])) return alias(c, n, x, LAST);
  if (k === 'step' && sameInts(axes, [1])) return alias(c, n, x, LAST);
  if (x.layout.k === 'pooled' && axes && sameInts([...axes].sort(), x.layout.spatial === 2 ? [2, 3] : [2]))
    return alias(c, n, x, LAST);
  c.refuse(n, `squeezing axes [${(axes ?? []).join(', ')}] of a ${k} tensor has no Netloom form.`);
};

const unsqueeze: Handler = (c, n) => {
  const v = c.vals.get(n.inputs[0] ?? '');
  const axes = c.ints(n.inputs[1]) ?? attr.ints(n, 'axes');
  const k = c.constOf(n.inputs[0]);
  if (v?.t === 'shape' && v.scalar && sameInts(axes, [0]))
    return c.set(n.outputs[0], { ...v, scalar: false });
  if (k?.ints && k.dims.length === 0 && sameInts(axes, [0]))
    return c.set(n.outputs[0], { t: 'shape', dims: k.ints, scalar: false });
  c.refuse(n, 'only unsqueezing a shape value is supported.');
};

/** The ONNX dims of a tensor value (for Shape), when its layout says what they are. */
function onnxDims(c: Ctx, n: OnnxNode, x: TensorVal): Dim[] {
  const s = [...x.shape];
  if (x.layout.k === 'last') return s;
  if (x.layout.k === 'time') return [s[1]!, s[0]!, ...s.slice(2)];
  if (x.layout.k === 'first') return [s[0]!, s.at(-1)!, ...s.slice(1, -1)];
  return c.refuse(n, `the shape of a ${x.layout.k} tensor is not followed.`);
}

const shapeOp: Handler = (c, n) => {
  const dims = onnxDims(c, n, c.tensor(n, n.inputs[0]));
  const r = dims.length;
  const norm = (a: number) => Math.min(Math.max(a < 0 ? a + r : a, 0), r);
  const start = norm(attr.int(n, 'start') ?? 0);
  const end = norm(attr.int(n, 'end') ?? r);
  c.set(n.outputs[0], { t: 'shape', dims: dims.slice(start, end), scalar: false });
};

const constantOfShape: Handler = (c, n) => {
  const v = c.vals.get(n.inputs[0] ?? '');
  const value = n.attrs.get('value')?.t;
  const zero =
    !value ||
    ((value.rawData?.every((b) => b === 0) ?? true) &&
      (value.floatData ?? []).every((f) => f === 0) &&
      (value.int64Data ?? []).every((i) => Number(i) === 0));
  if ((v?.t === 'shape' || c.ints(n.inputs[0])) && zero) return c.set(n.outputs[0], { t: 'zeros' });
  c.refuse(n, 'only zeros of a shape are supported (initial states).');
};

/** Concat of shape pieces (a symbolic shape) or of tensors (a Concatenate layer). */
const concat: Handler = (c, n) => {
  const vals = n.inputs.map((v) => c.vals.get(v));
  if (vals.every((v) => v?.t === 'shape' || (v?.t === 'const' && v.c.ints && v.c.dims.length === 1))) {
    const dims = vals.flatMap((v) => (v!.t === 'shape' ? v!.dims : v!.t === 'const' ? v!.c.ints! : []));
    return c.set(n.outputs[0], { t: 'shape', dims, scalar: false });
  }
  const xs = n.inputs.map((v) => c.tensor(n, v));
  const layout = xs[0]!.layout;
  if (!xs.every((x) => x.layout.k === layout.k) || (layout.k !== 'last' && layout.k !== 'first'))
    c.refuse(n, 'its inputs are in layouts Netloom cannot join.');
  const r = xs[0]!.shape.length;
  const raw = attr.int(n, 'axis') ?? 1;
  const a = raw < 0 ? raw + r : raw;
  const axis = layout.k === 'first' ? (a === 1 ? r - 1 : a - 1) : a;
  if (a < 1 || a >= r) c.refuse(n, 'joining along the batch axis is not supported.');
  const ports = n.inputs.map((v, i) => [v, `in${i + 1}`] as const);
  c.set(n.outputs[0], c.layer(n, 'Concatenate', { inputs: xs.length, axis }, ports, undefined, layout));
};

/** A Pad by nothing (torch writes one before AvgPool2d) is an alias; other pads are refused. */
const pad: Handler = (c, n) => {
  const pads = c.ints(n.inputs[1]) ?? attr.ints(n, 'pads');
  if (!pads?.every((p) => p === 0) || (n.inputs[3] ?? '') !== '')
    return c.refuse(n, 'only a Pad by zero is supported (fold padding into the Conv or pool instead).');
  alias(c, n, c.tensor(n, n.inputs[0]), c.tensor(n, n.inputs[0]).layout);
};

const passThrough: Handler = (c, n) => {
  if (n.op === 'Dropout' && n.outputs[1]) c.refuse(n, 'its mask output is not supported.');
  const v: Val | undefined = c.vals.get(n.inputs[0] ?? '');
  if (!v || v.t === 'unknown') return c.refuse(n, 'its input is not known.');
  c.set(n.outputs[0], v);
};

export const SHAPE_OPS: Record<string, Handler> = {
  Transpose: transpose,
  Flatten: flattenOp,
  Reshape: reshape,
  Squeeze: squeeze,
  Unsqueeze: unsqueeze,
  Shape: shapeOp,
  ConstantOfShape: constantOfShape,
  Concat: concat,
  Pad: pad,
  Identity: passThrough,
  Dropout: passThrough,
};
