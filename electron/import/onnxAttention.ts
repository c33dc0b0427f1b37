/**
 * Multi-head attention as Netloom's ONNX export writes it, matched as a whole from the query
 * projection: MatMul (+ Add) → Reshape [0, 0, h, k] → Transpose → Mul 1/√k → MatMul with the keys
 * (projected the same way, transposed to [B, h, k, T]) → (causal mask) → Softmax → MatMul with the
 * values → Transpose → Reshape [0, 0, h·v] → MatMul (+ Add). Anything else is left to the op-by-op
 * mappings. (A Transformer encoder block comes back as its parts: attention, Add, LayerNormalization,
 * Dense; the same maths.)
 */
import { type Ctx, near, sameInts } from './onnxContext';
import { attr, type OnnxNode } from './onnxRead';
import type { HostWeight } from './types';

interface Projection {
  x: string;
  kernel: HostWeight;
  bias?: Float32Array;
  nodes: OnnxNode[];
  out: string;
}

/** MatMul(x, constant W) and the Add of a constant bias after it, when only that Add reads it. */
function projection(c: Ctx, m: OnnxNode | undefined): Projection | undefined {
  const w = c.constOf(m?.inputs[1]);
  if (m?.op !== 'MatMul' || !w?.float || w.dims.length !== 2 || c.vals.has(m.outputs[0]!)) return undefined;
  const kernel = { shape: w.dims, data: w.float };
  const add = c.only(m.outputs[0], 'Add');
  const b = c.floats(add?.inputs.find((v) => v !== m.outputs[0]));
  if (add && b && b.length === w.dims[1])
    return { x: m.inputs[0]!, kernel, bias: b, nodes: [m, add], out: add.outputs[0]! };
  return { x: m.inputs[0]!, kernel, nodes: [m], out: m.outputs[0]! };
}

interface Heads extends Projection {
  heads: number;
  size: number;
}

/** A projection split into heads: Reshape [0, 0, h, size], then Transpose by `perm`. */
function heads(c: Ctx, p: Projection | undefined, perm: number[]): Heads | undefined {
  const r = c.only(p?.out, 'Reshape');
  const s = c.ints(r?.inputs[1]);
  const t = c.only(r?.outputs[0], 'Transpose');
  if (!p || !r || !t || !s || s.length !== 4 || s[0] !== 0 || s[1] !== 0) return undefined;
  if (!sameInts(attr.ints(t, 'perm'), perm) || s[2]! * s[3]! !== p.kernel.shape[1]) return undefined;
  return { ...p, heads: s[2]!, size: s[3]!, nodes: [...p.nodes, r, t], out: t.outputs[0]! };
}

/** The heads a value was split into, found from the value back to its projection. */
function headsOf(c: Ctx, v: string, perm: number[]): Heads | undefined {
  const reshape = c.producer(c.producer(v)?.inputs[0] ?? '');
  const last = c.producer(reshape?.inputs[0] ?? '');
  const matMul =
    last?.op === 'Add' ? last.inputs.map((i) => c.producer(i)).find((p) => p?.op === 'MatMul') : last;
  const h = heads(c, projection(c, matMul), perm);
  return h?.out === v && c.vals.get(h.x)?.t === 'tensor' ? h : undefined;
}

/** A causal mask [tq, tk]: large negative values above the diagonal, zeros elsewhere. */
function causalMask(c: Ctx, v: string | undefined): boolean {
  const k = c.constOf(v);
  // A square [T, T] mask (T ≥ 2) hiding every later key; a mask of zeros or of one key is not causal.
  if (!k?.float || k.dims.length !== 2 || k.dims[0] !== k.dims[1] || k.dims[1]! < 2) return false;
  const tk = k.dims[1]!;
  return k.float.every((x, i) => (i % tk > Math.floor(i / tk) ? x <= -1e4 : x === 0));
}

/** The scores → softmax → weighted values → merged heads part, from the scores MatMul on. */
function mixing(c: Ctx, scores: OnnxNode) {
  const nodes: OnnxNode[] = [];
  let s = scores.outputs[0];
  const add = c.only(s, 'Add');
  const causal =
    !!add &&
    causalMask(
      c,
      add.inputs.find((v) => v !== s),
    );
  if (add) {
    if (!causal) return undefined;
    nodes.push(add);
    s = add.outputs[0];
  }
  const softmax = c.only(s, 'Softmax');
  const axis = softmax && (attr.int(softmax, 'axis') ?? -1);
  const context = c.only(softmax?.outputs[0], 'MatMul');
  if (!softmax || !context || (axis !== -1 && axis !== 3) || context.inputs[0] !== softmax.outputs[0])
    return undefined;
  const value = headsOf(c, context.inputs[1]!, [0, 2, 1, 3]);
  const back = c.only(context.outputs[0], 'Transpose');
  const merge = c.only(back?.outputs[0], 'Reshape');
  if (!value || !back || !merge || !sameInts(attr.ints(back, 'perm'), [0, 2, 1, 3])) return undefined;
  if (!sameInts(c.ints(merge.inputs[1]), [0, 0, value.heads * value.size])) return undefined;
  const output = projection(c, c.only(merge.outputs[0], 'MatMul'));
  if (!output || output.x !== merge.outputs[0]) return undefined;
  return {
    causal,
    value,
    output,
    nodes: [...nodes, softmax, context, back, merge, ...value.nodes, ...output.nodes],
  };
}

/** Netloom's attention decomposition starting at the query projection `m`; false when it is not one. */
export function attention(c: Ctx, m: OnnxNode): boolean {
  const query = heads(c, projection(c, m), [0, 2, 1, 3]);
  const scale = c.only(query?.out, 'Mul');
  const factor = c.floats(scale?.inputs.find((v) => v !== query?.out));
  if (!query || !scale || factor?.length !== 1 || !near(factor[0], 1 / Math.sqrt(query.size))) return false;
  const scores = c.only(scale.outputs[0], 'MatMul');
  if (!scores || scores.inputs[0] !== scale.outputs[0]) return false;
  const key = headsOf(c, scores.inputs[1]!, [0, 2, 3, 1]);
  const mix = mixing(c, scores);
  if (!key || !mix || key.heads !== query.heads || key.size !== query.size || mix.value.heads !== query.heads)
    return false;
  const { value, output } = mix;
  const parts: Projection[] = [query, key, value, output];
  const useBias = !!query.bias;
  if (parts.some((p) => !!p.bias !== useBias)) return false;
  for (const v of [query.x, key.x, value.x]) {
    const t = c.vals.get(v);
    if (t?.t !== 'tensor' || t.layout.k !== 'last') return false;
  }
  for (const p of [...query.nodes, scale, scores, ...key.nodes, ...mix.nodes]) c.done.add(p.index);
  const h = query.heads;
  const w = (shape: number[], data: Float32Array): HostWeight => ({ shape, data });
  const dq = output.kernel.shape[1]!;
  const weights: Record<string, HostWeight> = {
    query_kernel: w([query.kernel.shape[0]!, h, query.size], query.kernel.data),
    key_kernel: w([key.kernel.shape[0]!, h, key.size], key.kernel.data),
    value_kernel: w([value.kernel.shape[0]!, h, value.size], value.kernel.data),
    attention_output_kernel: w([h, value.size, dq], output.kernel.data),
  };
  if (useBias) {
    weights.query_bias = w([h, query.size], query.bias!);
    weights.key_bias = w([h, key.size], key.bias!);
    weights.value_bias = w([h, value.size], value.bias!);
    weights.attention_output_bias = w([dq], output.bias!);
  }
  const params = {
    numHeads: h,
    keyDim: query.size,
    valueDim: value.size,
    useBias,
    causal: mix.causal,
    dropout: 0,
  };
  const ports: [string, string][] = [[query.x, 'query']];
  if (key.x !== query.x || value.x !== key.x) ports.push([key.x, 'key']);
  if (value.x !== key.x) ports.push([value.x, 'value']);
  c.set(output.out, c.layer(m, 'MultiHeadAttention', params, ports, weights));
  return true;
}
