/**
 * torch's nn.MultiheadAttention(batch_first=True) as torch.onnx.export (1.13, opset 17) writes it for
 * self-attention without masks: the batch-first input transposed to time first [T, B, E]; the packed
 * in_proj as one MatMul (+ Add) Sliced into q, k, v at computed offsets; each Reshaped to
 * [T, B·h, d] and Transposed (k to [B·h, d, T]); q (or the scores) scaled by 1/√d; Softmax; the
 * MatMul with v; Transpose and Reshape to [T·B, h·d]; out_proj as Gemm (or MatMul + Add); Reshape to
 * [T, B, E]. The shape sub-graph (Shape, Gather, Div, Cast, Unsqueeze, Concat, …) is evaluated
 * symbolically (`onnxSymbolic.ts`) so every computed offset and shape is checked for any batch and
 * sequence length. Found before the walk, from each Softmax outward; the whole is one
 * MultiHeadAttention made at the packed MatMul, its output in the time-first layout (the Transpose
 * torch writes after it brings it back). Anything else (masks, cross-attention, weights returned) is
 * left to the op-by-op mappings, which refuse it.
 */
import { type Ctx, near, sameInts } from './onnxContext';
import { attr, type OnnxNode } from './onnxRead';
import { B, constant, mono, type Mono, num, sameMonos, Symbolic, T } from './onnxSymbolic';
import type { HostWeight } from './types';

/** The producer of `v` when it is an `op`. */
function made(c: Ctx, v: string | undefined, op: string): OnnxNode | undefined {
  const p = v ? c.producer(v) : undefined;
  return p?.op === op ? p : undefined;
}

/**
 * The only reader of `v` when it is an `op` reading `v` as input `at` (Shape nodes reading `v` aside:
 * they must be part of the pattern's shape computations, `closed` checks).
 */
function next(c: Ctx, v: string | undefined, op: string, at = 0): OnnxNode | undefined {
  const u = v ? c.uses(v).filter((n) => n.op !== 'Shape') : [];
  return u.length === 1 && u[0]!.op === op && u[0]!.inputs[at] === v ? u[0] : undefined;
}

/** Mul or Div by scalar constants before `v`: the value scaled and the product of the factors. */
function peel(c: Ctx, v: string, nodes: OnnxNode[]): { v: string; f: number } {
  let f = 1;
  for (let i = 0; i < 4; i++) {
    const p = c.producer(v);
    if (p?.op !== 'Mul' && p?.op !== 'Div') break;
    // A scalar (rank ≤ 1: a longer rank would broadcast the scaled tensor to more axes).
    const scalar = (j: number) =>
      constant(c, p.inputs[j])?.float?.length === 1 && constant(c, p.inputs[j])!.dims.length <= 1;
    const at = [1, 0].find((j) => scalar(j) && (j === 1 || p.op === 'Mul'));
    if (at === undefined) break;
    const s = constant(c, p.inputs[at])!.float![0]!;
    f *= p.op === 'Div' ? 1 / s : s;
    nodes.push(p);
    v = p.inputs[1 - at]!;
  }
  return { v, f };
}

/** Transpose(perm) ← Reshape ← Slice: one of q, k, v split into heads. */
function split(c: Ctx, v: string, perm: number[]) {
  const transpose = made(c, v, 'Transpose');
  const reshape = made(c, transpose?.inputs[0], 'Reshape');
  const slice = made(c, reshape?.inputs[0], 'Slice');
  if (!transpose || !reshape || !slice || !sameInts(attr.ints(transpose, 'perm'), perm)) return undefined;
  if (attr.int(reshape, 'allowzero')) return undefined;
  return { transpose, reshape, slice };
}
type Split = NonNullable<ReturnType<typeof split>>;

/** A float constant with these dims. */
function floatsOf(c: Ctx, v: string | undefined, dims: number[]): Float32Array | undefined {
  const k = constant(c, v);
  return k?.float && sameInts(k.dims, dims) ? k.float : undefined;
}

/** MatMul(x, W) (+ Add of a constant bias): torch's packed in_proj. */
function inProjection(c: Ctx, packed: string) {
  const add = made(c, packed, 'Add');
  const m = add ? add.inputs.map((v) => made(c, v, 'MatMul')).find((p) => p) : made(c, packed, 'MatMul');
  const w = constant(c, m?.inputs[1]);
  if (!m || !w?.float || w.dims.length !== 2) return undefined;
  const [e, p] = w.dims as [number, number];
  const bias =
    add &&
    floatsOf(
      c,
      add.inputs.find((v) => v !== m.outputs[0]),
      [p],
    );
  if (add && !bias) return undefined;
  return { m, x: m.inputs[0]!, e, p, w: w.float, bias, nodes: add ? [m, add] : [m] };
}

/** out_proj after the merged heads: Gemm (alpha = beta = 1), or MatMul (+ Add). */
function outProjection(c: Ctx, merged: string, width: number) {
  const gemm = next(c, merged, 'Gemm');
  if (gemm) {
    const transB = attr.int(gemm, 'transB') ?? 0;
    const w = constant(c, gemm.inputs[1]);
    const ok = (attr.float(gemm, 'alpha') ?? 1) === 1 && (attr.float(gemm, 'beta') ?? 1) === 1;
    if (!ok || attr.int(gemm, 'transA') || !w?.float || w.dims.length !== 2) return undefined;
    const e = w.dims[transB ? 0 : 1]!;
    if (w.dims[transB ? 1 : 0] !== width) return undefined;
    const kernel = transB ? transposed(w.float, e, width) : w.float;
    const bias = gemm.inputs[2] ? floatsOf(c, gemm.inputs[2], [e]) : undefined;
    if (gemm.inputs[2] && !bias) return undefined;
    return { e, kernel, bias, nodes: [gemm], out: gemm.outputs[0]! };
  }
  const m = next(c, merged, 'MatMul');
  const w = constant(c, m?.inputs[1]);
  if (!m || !w?.float || w.dims.length !== 2 || w.dims[0] !== width) return undefined;
  const e = w.dims[1]!;
  const uses = c.uses(m.outputs[0]!);
  const add = uses.length === 1 && uses[0]!.op === 'Add' ? uses[0]! : undefined;
  const bias =
    add &&
    floatsOf(
      c,
      add.inputs.find((v) => v !== m.outputs[0]),
      [e],
    );
  if (add && bias) return { e, kernel: w.float, bias, nodes: [m, add], out: add.outputs[0]! };
  return { e, kernel: w.float, bias: undefined, nodes: [m], out: m.outputs[0]! };
}

/** W [rows, cols] transposed. */
function transposed(w: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(w.length);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = w[i * cols + j]!;
  return out;
}

/** Columns [lo, hi) of W [rows, cols]. */
function columns(w: Float32Array, rows: number, cols: number, lo: number, hi: number): Float32Array {
  const out = new Float32Array(rows * (hi - lo));
  for (let i = 0; i < rows; i++) out.set(w.subarray(i * cols + lo, i * cols + hi), i * (hi - lo));
  return out;
}

/** The column range a Slice takes of the packed [T, B, P] projection, and its heads from the Reshape. */
function heads(sym: Symbolic, s: Split, p: number) {
  const [starts, ends, axes] = [1, 2, 3].map((i) => sym.vector(s.slice.inputs[i]));
  const steps = s.slice.inputs[4] ? sym.vector(s.slice.inputs[4]) : [num(1)];
  const one = (m: Mono[] | undefined) => (m?.length === 1 && m[0]!.t === 0 && m[0]!.b === 0 ? m[0]!.k : NaN);
  const [lo, hi, axis, step] = [starts, ends, axes, steps].map(one) as [number, number, number, number];
  if (!(lo >= 0 && hi > lo && hi <= p && (axis === -1 || axis === 2) && step === 1)) return undefined;
  sym.shapes.set(s.slice.outputs[0]!, [T, B, num(hi - lo)]);
  const target = sym.vector(s.reshape.inputs[1]);
  const h = target?.[1]?.k ?? 0;
  const d = target?.[2]?.k ?? 0;
  if (h < 1 || h * d !== hi - lo || !sameMonos(target, [T, mono(h, 0, 1), num(d)])) return undefined;
  sym.shapes.set(s.reshape.outputs[0]!, target!);
  return { lo, hi, h, d };
}

interface Plan {
  anchor: OnnxNode;
  x: string;
  out: string;
  params: { numHeads: number; keyDim: number; valueDim: number; useBias: boolean };
  weights: Record<string, HostWeight>;
  nodes: OnnxNode[];
}

/** The attention around Softmax `sm`, structure first, then every computed shape; undefined when it is not torch's. */
function match(c: Ctx, sm: OnnxNode): Plan | undefined {
  const axis = attr.int(sm, 'axis') ?? (c.g.opset >= 13 ? -1 : 1);
  if (axis !== -1 && axis !== 2) return undefined;
  const nodes: OnnxNode[] = [sm];
  const scale = peel(c, sm.inputs[0]!, nodes);
  const scores = made(c, scale.v, 'MatMul');
  if (!scores) return undefined;
  const [qs, ks] = [peel(c, scores.inputs[0]!, nodes), peel(c, scores.inputs[1]!, nodes)];
  const context = next(c, sm.outputs[0], 'MatMul');
  const [q, k, v] = [
    split(c, qs.v, [1, 0, 2]),
    split(c, ks.v, [1, 2, 0]),
    split(c, context?.inputs[1] ?? '', [1, 0, 2]),
  ];
  const back = next(c, context?.outputs[0], 'Transpose');
  const merge = next(c, back?.outputs[0], 'Reshape');
  const packed = q?.slice.inputs[0];
  if (!context || !q || !k || !v || !back || !merge || !sameInts(attr.ints(back, 'perm'), [1, 0, 2]))
    return undefined;
  if (k.slice.inputs[0] !== packed || v.slice.inputs[0] !== packed || attr.int(merge, 'allowzero'))
    return undefined;
  const proj = inProjection(c, packed!);
  if (!proj) return undefined;
  const sym = new Symbolic(c);
  sym.shapes.set(proj.x, [T, B, num(proj.e)]);
  sym.shapes.set(packed!, [T, B, num(proj.p)]);
  const [hq, hk, hv] = [heads(sym, q, proj.p), heads(sym, k, proj.p), heads(sym, v, proj.p)];
  if (!hq || !hk || !hv || hq.h !== hk.h || hq.h !== hv.h || hq.d !== hk.d) return undefined;
  if (!near(scale.f * qs.f * ks.f, 1 / Math.sqrt(hq.d))) return undefined;
  const h = hq.h;
  const bh = mono(h, 0, 1);
  sym.shapes.set(q.transpose.outputs[0]!, [bh, T, num(hq.d)]);
  sym.shapes.set(k.transpose.outputs[0]!, [bh, num(hk.d), T]);
  sym.shapes.set(v.transpose.outputs[0]!, [bh, T, num(hv.d)]);
  sym.shapes.set(back.outputs[0]!, [T, bh, num(hv.d)]);
  const rows = mono(1, 1, 1);
  const merged = sym.vector(merge.inputs[1]);
  if (!sameMonos(merged, [rows, num(h * hv.d)])) return undefined;
  sym.shapes.set(merge.outputs[0]!, merged!);
  const out = outProjection(c, merge.outputs[0]!, h * hv.d);
  const final = next(c, out?.out, 'Reshape');
  // MultiHeadAttention's output is as wide as its query (torch's out_proj is E → E).
  if (!out || out.e !== proj.e || !final || attr.int(final, 'allowzero')) return undefined;
  sym.shapes.set(out.out, [rows, num(out.e)]);
  if (!sameMonos(sym.vector(final.inputs[1]), [T, B, num(out.e)])) return undefined;
  nodes.push(scores, context, back, merge, final, ...out.nodes, ...proj.nodes);
  for (const s of [q, k, v]) nodes.push(s.slice, s.reshape, s.transpose);
  nodes.push(...sym.nodes);
  const useBias = !!proj.bias || !!out.bias;
  const e = proj.e;
  const kernel = (r: { lo: number; hi: number; d: number }) => ({
    shape: [e, h, r.d],
    data: columns(proj.w, e, proj.p, r.lo, r.hi),
  });
  const bias = (r: { lo: number; hi: number; d: number }) => ({
    shape: [h, r.d],
    data: proj.bias ? proj.bias.slice(r.lo, r.hi) : new Float32Array(r.hi - r.lo),
  });
  const weights: Record<string, HostWeight> = {
    query_kernel: kernel(hq),
    key_kernel: kernel(hk),
    value_kernel: kernel(hv),
    attention_output_kernel: { shape: [h, hv.d, out.e], data: out.kernel },
  };
  if (useBias) {
    weights.query_bias = bias(hq);
    weights.key_bias = bias(hk);
    weights.value_bias = bias(hv);
    weights.attention_output_bias = { shape: [out.e], data: out.bias ?? new Float32Array(out.e) };
  }
  const params = { numHeads: h, keyDim: hq.d, valueDim: hv.d, useBias };
  return { anchor: proj.m, x: proj.x, out: final.outputs[0]!, params, weights, nodes };
}

/** Whether nothing outside the pattern reads its values (but its output), and no other pattern has its nodes. */
function closed(c: Ctx, p: Plan): boolean {
  const own = new Set(p.nodes.map((n) => n.index));
  return p.nodes.every(
    (n) =>
      !c.done.has(n.index) &&
      !c.planned.has(n.index) &&
      n.outputs.every((o) => o === p.out || (!c.isOutput(o) && c.uses(o).every((u) => own.has(u.index)))),
  );
}

/**
 * Why a Softmax that is torch's attention (q and k split into heads as torch writes them, with
 * Transposes [1, 0, 2] and [1, 2, 0] of Reshapes) was not matched; undefined when it is not torch's.
 */
function refusal(c: Ctx, sm: OnnxNode): string | undefined {
  const seen: OnnxNode[] = [];
  const v = peel(c, sm.inputs[0]!, seen).v;
  const add = made(c, v, 'Add');
  const scores = add
    ? add.inputs.map((i) => made(c, peel(c, i, seen).v, 'MatMul')).find((m) => m)
    : made(c, v, 'MatMul');
  const [q, k] = [0, 1].map((i) => made(c, peel(c, scores?.inputs[i] ?? '', seen).v, 'Transpose'));
  const [qr, kr] = [q, k].map((t) => made(c, t?.inputs[0], 'Reshape'));
  if (
    !qr ||
    !kr ||
    !sameInts(attr.ints(q!, 'perm'), [1, 0, 2]) ||
    !sameInts(attr.ints(k!, 'perm'), [1, 2, 0])
  )
    return undefined;
  if (add) return 'with an attention mask (attn_mask, key_padding_mask)';
  const [qs, ks] = [qr, kr].map((r) => made(c, r.inputs[0], 'Slice')?.inputs[0]);
  if (!qs || qs !== ks)
    return 'as cross-attention (query ≠ key; only self-attention att(x, x, x) is imported)';
  return 'in a form other than batch_first self-attention without masks, its weights unused';
}

/** Finds torch's attention before the walk: its nodes are taken, the layer is made at its packed MatMul. */
export function torchAttention(c: Ctx): void {
  for (const sm of c.g.nodes) {
    if (sm.op !== 'Softmax' || c.done.has(sm.index)) continue;
    const p = match(c, sm);
    if (!p || !closed(c, p)) {
      const why = refusal(c, sm);
      if (why) c.unsupported.add(`torch nn.MultiheadAttention ${why}`, sm.name);
      continue;
    }
    for (const n of p.nodes) if (n !== p.anchor) c.done.add(n.index);
    c.planned.set(p.anchor.index, {
      outputs: [p.out],
      run: (cx, n) => {
        const x = cx.tensor(n, p.x);
        if (x.layout.k !== 'time' || x.shape.length !== 3)
          cx.refuse(
            n,
            `torch's MultiheadAttention is imported from batch_first=True models only (its input must be the batch-first sequence transposed to time first, here a ${x.layout.k} tensor).`,
          );
        const params = { ...p.params, causal: false, dropout: 0 };
        // Named after torch's module scope (`/att/Softmax` → `/att`), where it has one.
        const scope = /^(.*[A-Za-z].*)\/[^/]+$/.exec(sm.name)?.[1];
        const y = cx.layer(
          scope ? { ...n, name: scope } : n,
          'MultiHeadAttention',
          params,
          [[p.x, 'query']],
          p.weights,
          { k: 'time' },
        );
        cx.set(p.out, y);
      },
    });
  }
}
