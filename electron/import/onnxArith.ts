/**
 * Element-wise ONNX arithmetic: Add and Mul of two tensors become Add and Multiply layers; a chain of
 * Add/Sub/Mul/Div by per-feature constants (a folded BatchNormalization, a CSV standardisation)
 * becomes one BatchNormalization that computes it exactly (gamma = scale, beta = shift, mean 0,
 * variance 1 − epsilon); GELU written with Erf and swish written as x · sigmoid(x) become activations.
 */
import type { Ctx, TensorVal } from './onnxContext';
import { near } from './onnxContext';
import { activation, type Handler } from './onnxLayers';
import type { Const, OnnxNode } from './onnxRead';

const EPSILON = 1e-3;
type Arith = 'Add' | 'Sub' | 'Mul' | 'Div';
const ARITH = new Set(['Add', 'Sub', 'Mul', 'Div']);

/** A constant as one value per feature of `x` (the last Netloom axis), or undefined when it is not one. */
function perFeature(x: TensorVal, k: Const | undefined): Float32Array | undefined {
  const features = x.shape.at(-1);
  if (!k?.float || typeof features !== 'number') return undefined;
  const dims = [...k.dims];
  while (dims.length && dims[0] === 1) dims.shift();
  if (dims.every((d) => d === 1)) return new Float32Array(features).fill(k.float[0]!);
  const perLast = (x.layout.k === 'last' || x.layout.k === 'time') && dims.length === 1;
  const perChannel =
    x.layout.k === 'first' && dims.length === x.shape.length - 1 && dims.slice(1).every((d) => d === 1);
  return (perLast || perChannel) && dims[0] === features ? Float32Array.from(k.float) : undefined;
}

/** The constant operand of an arithmetic node reading `x`, per feature, if the node has that form. */
function operand(c: Ctx, n: OnnxNode, x: string, t: TensorVal): Float32Array | undefined {
  if (!ARITH.has(n.op) || n.inputs.length !== 2) return undefined;
  const i = n.inputs.indexOf(x);
  if (i < 0 || ((n.op === 'Sub' || n.op === 'Div') && i !== 0)) return undefined;
  return perFeature(t, c.constOf(n.inputs[1 - i]));
}

/** y = x · gamma + beta, folded through a chain of arithmetic by per-feature constants. */
function affine(c: Ctx, n: OnnxNode, x: string, t: TensorVal, first: Float32Array) {
  const features = first.length;
  const gamma = new Float32Array(features).fill(1);
  const beta = new Float32Array(features);
  let node = n;
  let k = first;
  for (;;) {
    for (let i = 0; i < features; i++) {
      const op = node.op as Arith;
      if (op === 'Add') beta[i]! += k[i]!;
      else if (op === 'Sub') beta[i]! -= k[i]!;
      else {
        const f = op === 'Mul' ? k[i]! : 1 / k[i]!;
        gamma[i]! *= f;
        beta[i]! *= f;
      }
    }
    const next = c.only(node.outputs[0]);
    const nk = next && operand(c, next, node.outputs[0]!, t);
    if (!next || !nk) break;
    c.done.add(next.index);
    node = next;
    k = nk;
  }
  const moving = new Float32Array(features).fill(1 - EPSILON);
  const w = (data: Float32Array) => ({ shape: [features], data });
  const weights = {
    gamma: w(gamma),
    beta: w(beta),
    moving_mean: w(new Float32Array(features)),
    moving_variance: w(moving),
  };
  const params = { epsilon: EPSILON, center: true, scale: true };
  c.set(node.outputs[0], c.layer(n, 'BatchNormalization', params, [[x, 'in']], weights, t.layout));
}

/** A constant that holds one value (once, or repeated everywhere); undefined otherwise. */
function scalar(c: Ctx, v: string | undefined): number | undefined {
  const f = c.floats(v);
  if (!f || f.length === 0) return undefined;
  return f.every((x) => x === f[0]) ? f[0] : undefined;
}

/** GELU as 0.5 · x · (1 + erf(x / √2)) (Netloom's and torch's form), starting at the x / √2. */
function gelu(c: Ctx, n: OnnxNode): boolean {
  const x = n.inputs[0]!;
  const k = scalar(c, n.inputs[1]);
  if (c.vals.get(x)?.t !== 'tensor') return false;
  if (!(n.op === 'Mul' ? near(k, Math.SQRT1_2) : near(k, Math.SQRT2))) return false;
  const erf = c.only(n.outputs[0], 'Erf');
  const add = c.only(erf?.outputs[0], 'Add');
  const one = add?.inputs.find((v) => v !== erf?.outputs[0]);
  const m1 = near(scalar(c, one), 1) ? c.only(add!.outputs[0], 'Mul') : undefined;
  const m2 = m1?.inputs.includes(x) ? c.only(m1.outputs[0], 'Mul') : undefined;
  const half = m2?.inputs.find((v) => v !== m1!.outputs[0]);
  if (!m2 || !near(scalar(c, half), 0.5)) return false;
  for (const p of [erf!, add!, m1!, m2]) c.done.add(p.index);
  activation(c, n, x, m2.outputs[0], 'gelu', undefined, [n, m1!]);
  return true;
}

function arith(op: Arith): Handler {
  return (c, n) => {
    if ((op === 'Mul' || op === 'Div') && gelu(c, n)) return;
    const [a, b] = n.inputs.map((v) => c.vals.get(v));
    if (a?.t === 'tensor' && b?.t === 'tensor') {
      if (op === 'Sub' || op === 'Div') return c.unsupported.add(`${op} (of two tensors)`, n.name);
      // Layouts must be the same throughout (a flattened channels-first tensor's C, H, W included).
      if (JSON.stringify(a.layout) !== JSON.stringify(b.layout))
        c.refuse(n, 'its inputs are in different layouts.');
      const kind = op === 'Add' ? 'Add' : 'Multiply';
      const ports = [
        [n.inputs[0]!, 'in1'],
        [n.inputs[1]!, 'in2'],
      ] as const;
      return c.set(n.outputs[0], c.layer(n, kind, { inputs: 2 }, ports, undefined, a.layout));
    }
    const x = a?.t === 'tensor' ? n.inputs[0]! : b?.t === 'tensor' ? n.inputs[1]! : undefined;
    if (!x) return c.refuse(n, 'arithmetic on constants alone is not supported.');
    const t = c.tensor(n, x);
    const k = operand(c, n, x, t);
    if (!k) return c.refuse(n, `${op} by a constant that is not one value per feature has no Netloom layer.`);
    affine(c, n, x, t, k);
  };
}

export const ARITH_OPS: Record<string, Handler> = {
  Add: arith('Add'),
  Sub: arith('Sub'),
  Mul: arith('Mul'),
  Div: arith('Div'),
  Sigmoid: (c, n) => {
    const x = n.inputs[0]!;
    const m = c.only(n.outputs[0], 'Mul');
    if (m && m.inputs.includes(x) && m.inputs.includes(n.outputs[0]!)) {
      c.done.add(m.index);
      return activation(c, n, x, m.outputs[0], 'swish', undefined, [n, m]);
    }
    activation(c, n, x, n.outputs[0], 'sigmoid');
  },
};
